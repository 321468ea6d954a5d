"""A session ended at auth is refused by the api service within a second, through the gateway."""

import asyncio
import contextlib
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import jwt
import nats
import pytest
from nats.js.api import DeliverPolicy

from shared.db.types import utc_now
from shared.events.contracts.members import MemberStatusChanged
from shared.events.envelope import Envelope, decode, encode, wrap
from tests.e2e.department import PASSWORD, Department
from tests.e2e.stack import Stack
from tests.e2e.test_auth_flow import csrf_headers

pytestmark = pytest.mark.e2e
MODULES = "/api/v1/organization/modules"
NEW_PASSWORD = "Tanker-Twelve-Holds#7"


@pytest.fixture(scope="module")
def stack(department: Department) -> Stack:
    """The worker's shared platform, where the module's members are in `department`."""
    return department.stack


@contextlib.contextmanager
def signed_in(stack: Stack, username: str) -> Iterator[httpx.Client]:
    """A browser-like client signed in as `username`."""
    with httpx.Client(base_url=stack.gateway, timeout=15) as client:
        response = client.post(
            "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        yield client


def refused_within(stack: Stack, access_token: str, limit: float = 1.0) -> float:
    """Seconds until the api answers 401 to the token; fails after `limit` seconds."""
    started = time.monotonic()
    while True:
        response = httpx.get(f"{stack.gateway}{MODULES}", cookies={"access_token": access_token})
        elapsed = time.monotonic() - started
        if response.status_code == 401:
            assert response.json()["code"] == "LB-AUTH-002"
            return elapsed
        assert response.status_code == 200
        assert elapsed < limit, f"still accepted after {elapsed:.2f} s"
        time.sleep(0.02)


class TestApiAuthentication:
    def test_a_signed_in_member_reads_the_modules(
        self, stack: Stack, department: Department
    ) -> None:
        with signed_in(stack, department.admin_username) as client:
            response = client.get(MODULES)
        assert response.status_code == 200
        body = response.json()
        assert body["enabled_modules"] == [
            "members",
            "events",
            "documents",
            "roles",
            "settings",
            "training",
            "inventory",
            "notifications",
        ]
        assert body["module_settings"]["training"] is True

    def test_without_a_cookie_the_api_answers_401(self, stack: Stack) -> None:
        response = httpx.get(
            f"{stack.gateway}{MODULES}", headers={"Authorization": "Bearer forged"}
        )
        assert (response.status_code, response.json()["code"]) == (401, "LB-AUTH-001")


class TestRevocationReachesTheApi:
    def test_after_logout_the_old_cookie_is_refused_within_a_second(
        self, stack: Stack, department: Department
    ) -> None:
        with signed_in(stack, department.admin_username) as client:
            access = client.cookies["access_token"]
            assert client.get(MODULES).status_code == 200
            assert (
                client.post("/api/v1/auth/logout", headers=csrf_headers(client)).status_code == 200
            )
        assert refused_within(stack, access) < 1.0

    def test_after_a_password_change_every_old_cookie_is_refused(
        self, stack: Stack, department: Department
    ) -> None:
        second = new_member(department)
        with signed_in(stack, second) as client, signed_in(stack, second) as other:
            tokens = [client.cookies["access_token"], other.cookies["access_token"]]
            response = client.post(
                "/api/v1/auth/change-password",
                headers=csrf_headers(client),
                json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            )
            assert response.status_code == 200
        for token in tokens:
            assert refused_within(stack, token) < 1.0

    def test_a_reused_refresh_token_ends_the_api_session_too(
        self, stack: Stack, department: Department
    ) -> None:
        with signed_in(stack, new_member(department)) as client:
            stolen = client.cookies.get("refresh_token", path="/api/v1/auth/")
            assert (
                client.post("/api/v1/auth/refresh", headers=csrf_headers(client)).status_code == 200
            )
            current = client.cookies["access_token"]
            assert client.get(MODULES).status_code == 200
            httpx.post(
                f"{stack.gateway}/api/v1/auth/refresh", cookies={"refresh_token": stolen or ""}
            )
        assert refused_within(stack, current) < 1.0


class TestEventsCarryTheRequest:
    def test_sign_in_events_reach_jetstream_with_the_gateway_request_id(
        self, stack: Stack, department: Department
    ) -> None:
        chief = department.admin_username
        with httpx.Client(base_url=stack.gateway, timeout=15) as client:
            failed = client.post(
                "/api/v1/auth/login", json={"username": chief, "password": "Wrong-Password#1"}
            )
            ok = client.post("/api/v1/auth/login", json={"username": chief, "password": PASSWORD})
        wanted = {
            failed.headers["x-request-id"]: "logbook.auth.login.failed",
            ok.headers["x-request-id"]: "logbook.auth.login.succeeded",
        }
        found = asyncio.run(events_by_request(stack, set(wanted)))
        assert {rid: env.type for rid, env in found.items()} == wanted
        failure = found[failed.headers["x-request-id"]]
        assert failure.data["reason"] == "invalid_credentials"
        assert "password" not in json.dumps(failure.data).lower()
        assert len(failure.data["identifier_sha256"]) == 64


async def events_by_request(stack: Stack, request_ids: set[str]) -> dict[str, Envelope]:
    """Auth events in the stack's own JetStream whose request id is wanted (waits up to 5 s)."""
    client = await nats.connect(f"nats://127.0.0.1:{stack.ports['nats']}")
    found: dict[str, Envelope] = {}
    try:
        subscription = await client.jetstream().subscribe(
            "logbook.auth.login.*", ordered_consumer=True, deliver_policy=DeliverPolicy.ALL
        )
        deadline = time.monotonic() + 5
        while len(found) < len(request_ids) and time.monotonic() < deadline:
            try:
                message = await subscription.next_msg(timeout=1)
            except nats.errors.TimeoutError:
                continue
            envelope = decode(message.data)
            if envelope.request_id in request_ids:
                assert message.headers["X-Request-ID"] == envelope.request_id
                found[envelope.request_id] = envelope
    finally:
        await client.close()
    return found


def new_member(department: Department) -> str:
    """Another administrator of the department (the roles `create-admin` gives); the username."""
    return department.add_member("it_manager", "member")[1]


class TestLockoutExpiry:
    def test_an_expired_lock_lets_the_member_in_and_a_stale_counter_relocks(
        self, stack: Stack, department: Department
    ) -> None:
        username = new_member(department)
        with httpx.Client(base_url=stack.gateway, timeout=15) as client:

            def attempt(password: str) -> int:
                return client.post(
                    "/api/v1/auth/login", json={"username": username, "password": password}
                ).status_code

            assert [attempt("Wrong-Password#9") for _ in range(5)] == [401] * 5
            assert attempt(PASSWORD) == 401  # locked
            # Fifteen minutes pass.
            department.query(
                "UPDATE users SET locked_until = %s WHERE username = %s",
                (utc_now() - timedelta(seconds=1)).replace(tzinfo=None),
                username,
            )
            assert attempt("Wrong-Password#9") == 401  # the counter was kept: locked again
            assert attempt(PASSWORD) == 401
            department.query("UPDATE users SET locked_until = NULL WHERE username = %s", username)
            assert attempt(PASSWORD) == 200


class TestForcedPasswordChange:
    def test_the_member_is_confined_until_the_password_is_changed(
        self, stack: Stack, department: Department
    ) -> None:
        username = new_member(department)
        department.query("UPDATE users SET must_change_password = 1 WHERE username = %s", username)
        with signed_in(stack, username) as client:
            assert client.get("/api/v1/auth/me").json()["must_change_password"] is True
            assert client.get("/api/v1/auth/session-settings").status_code == 200
            blocked = client.get(MODULES)
            assert (blocked.status_code, blocked.json()["code"]) == (403, "LB-AUTH-004")
            assert blocked.headers["x-password-change-required"] == "true"
            changed = client.post(
                "/api/v1/auth/change-password",
                headers=csrf_headers(client),
                json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            )
            assert changed.status_code == 200
        with httpx.Client(base_url=stack.gateway, timeout=15) as client:
            client.post("/api/v1/auth/login", json={"username": username, "password": NEW_PASSWORD})
            # The api dropped its cached flags on the password event: no minute-long wait.
            assert client.get(MODULES).status_code == 200


class TestDepartedMembers:
    def test_a_status_change_event_signs_the_member_out_everywhere(
        self, stack: Stack, department: Department
    ) -> None:
        username = new_member(department)
        with signed_in(stack, username) as client:
            access = client.cookies["access_token"]
            user_id = client.get("/api/v1/auth/me").json()["id"]
            assert client.get(MODULES).status_code == 200
            # What the api's member lifecycle will publish (spec members §6).
            change = MemberStatusChanged(
                user_id=user_id, previous_status="active", new_status="suspended", reason="test"
            )
            asyncio.run(
                publish(
                    stack,
                    wrap(change, organization_id=None, actor_id=None, request_id="req-suspend"),
                )
            )
            assert refused_within(stack, access) < 1.0
            assert client.get("/api/v1/auth/me").status_code == 401
        reasons = department.query(
            "SELECT DISTINCT revoke_reason FROM auth_sessions WHERE user_id = "
            "(SELECT id FROM users WHERE username = %s)",
            username,
        )
        assert reasons == [{"revoke_reason": "member_inactive"}]

    def test_a_change_back_to_active_signs_nobody_out(
        self, stack: Stack, department: Department
    ) -> None:
        username = new_member(department)
        with signed_in(stack, username) as client:
            user_id = client.get("/api/v1/auth/me").json()["id"]
            change = MemberStatusChanged(
                user_id=user_id, previous_status="leave", new_status="active"
            )
            envelope = wrap(change, organization_id=None, actor_id=None, request_id="req-back")
            asyncio.run(publish(stack, envelope))
            handled(department, "auth-member-departures", str(envelope.id))
            assert client.get(MODULES).status_code == 200


def handled(department: Department, consumer: str, event_id: str, within: float = 10) -> None:
    """Until `consumer` committed its handling of the event (its processed_events row)."""
    deadline = time.monotonic() + within
    while not department.query(
        "SELECT 1 FROM processed_events WHERE consumer = %s AND event_id = %s", consumer, event_id
    ):
        assert time.monotonic() < deadline, f"{consumer} did not handle {event_id}"
        time.sleep(0.02)


async def publish(stack: Stack, envelope: Envelope) -> None:
    client = await nats.connect(f"nats://127.0.0.1:{stack.ports['nats']}")
    try:
        await client.jetstream().publish(
            envelope.type, encode(envelope), headers={"Nats-Msg-Id": str(envelope.id)}
        )
    finally:
        await client.close()


class TestIdleTimeout:
    def test_a_session_idle_past_the_timeout_ends_at_auth_and_then_everywhere(
        self, stack: Stack, department: Department
    ) -> None:
        username = new_member(department)
        with signed_in(stack, username) as client:
            access = client.cookies["access_token"]
            # Sixteen quiet minutes pass: the session row was last active then, nobody noted
            # activity since, and the member's browser holds a token issued back then.
            department.query(
                "UPDATE auth_sessions SET last_activity_at = %s WHERE user_id = "
                "(SELECT id FROM users WHERE username = %s)",
                (utc_now() - timedelta(minutes=16)).replace(tzinfo=None),
                username,
            )
            me = httpx.get(
                f"{stack.gateway}/api/v1/auth/me",
                cookies={"access_token": issued_minutes_ago(stack, access, 16)},
            )
            assert (me.status_code, me.json()["code"]) == (401, "LB-AUTH-002")
            # The refresh cannot revive it either.
            refresh = client.post("/api/v1/auth/refresh", headers=csrf_headers(client))
            assert refresh.status_code == 401
        # The api learns of the end from auth's event, even for the fresh token of the session.
        assert refused_within(stack, access) < 1.0
        reasons = department.query(
            "SELECT revoke_reason FROM auth_sessions WHERE user_id = "
            "(SELECT id FROM users WHERE username = %s)",
            username,
        )
        assert reasons == [{"revoke_reason": "idle_timeout"}]

    def test_activity_within_the_timeout_keeps_an_old_token_alive(
        self, stack: Stack, department: Department
    ) -> None:
        username = new_member(department)
        with signed_in(stack, username) as client:
            access = client.cookies["access_token"]
            assert client.get("/api/v1/auth/me").status_code == 200  # activity noted now
            me = httpx.get(
                f"{stack.gateway}/api/v1/auth/me",
                cookies={"access_token": issued_minutes_ago(stack, access, 16)},
            )
            assert me.status_code == 200


def issued_minutes_ago(stack: Stack, token: str, minutes: int) -> str:
    """The same session's access token as if issued `minutes` ago (signed with the stack's key)."""
    secrets = (Path(stack.env["DATA_DIR"]) / "dev-secrets.env").read_text().splitlines()
    key = next(line.split("=", 1)[1] for line in secrets if line.startswith("SECRET_KEY="))
    claims = jwt.decode(token, key, algorithms=["HS256"])
    issued = utc_now() - timedelta(minutes=minutes)
    claims.update(iat=issued, exp=issued + timedelta(minutes=30))
    return jwt.encode(claims, key, algorithm="HS256")
