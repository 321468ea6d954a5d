"""The api's audit consumers turn auth events and deferred entries into audit entries, once
each, carrying the request id of the request that caused them (spec/auth.md §9, issue 4 #6)."""

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
import nats
import pytest

from shared.events.contracts.audit import AuditDeferred
from shared.events.contracts.auth import LoginFailed
from shared.events.envelope import Envelope, EventData, encode, wrap
from tests.e2e.department import PASSWORD, Department

pytestmark = pytest.mark.e2e
NEW_PASSWORD = "Ladder-Four-Climbs#88"


def entries(department: Department, request_id: str, count: int = 1) -> list[dict[str, Any]]:
    """The entries of one request, once the consumer wrote `count` of them (waits <= 10 s)."""
    deadline = time.monotonic() + 10
    while True:
        rows = department.query(
            "SELECT * FROM audit_logs WHERE request_id = %s ORDER BY id", request_id
        )
        if len(rows) >= count or time.monotonic() > deadline:
            assert len(rows) == count, f"{len(rows)} entries for {request_id}, wanted {count}"
            for row in rows:
                row["event_data"] = json.loads(row["event_data"])
            return rows
        time.sleep(0.1)


def of_type(rows: list[dict[str, Any]], event_type: str) -> dict[str, Any]:
    (row,) = [r for r in rows if r["event_type"] == event_type]
    return row


def same_id(stored: str | None, expected: str) -> bool:
    """UUID columns come back in whatever form the database keeps them."""
    return stored is not None and uuid.UUID(stored) == uuid.UUID(expected)


def csrf(client: httpx.Client) -> dict[str, str]:
    return {"X-CSRF-Token": client.cookies["csrf_token"]}


def sign_in(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


class TestAuthEventsBecomeEntries:
    def test_a_sign_in_is_recorded_with_who_where_and_which_request(
        self, department: Department
    ) -> None:
        user_id, username = department.add_member("member")
        with httpx.Client(base_url=department.gateway, headers={"User-Agent": "rig/2"}) as client:
            response = sign_in(client, username)
        assert response.status_code == 200
        (entry,) = entries(department, response.headers["x-request-id"])
        assert (entry["event_type"], entry["event_category"], entry["severity"]) == (
            "login_succeeded",
            "auth",
            "info",
        )
        assert same_id(entry["organization_id"], department.organization_id)
        assert same_id(entry["user_id"], user_id)
        assert entry["username"] == username
        assert (entry["ip_address"], entry["user_agent"]) == ("127.0.0.1", "rig/2")
        assert entry["session_id"]
        assert entry["event_data"]["method"] == "password"
        assert entry["event_data"]["mfa_used"] is False
        assert not {"user_id", "ip_address", "user_agent", "session_id"} & set(entry["event_data"])

    def test_failures_are_warnings_and_the_lock_is_a_security_warning(
        self, department: Department
    ) -> None:
        user_id, username = department.add_member("member")
        with httpx.Client(base_url=department.gateway) as client:
            answers = [sign_in(client, username, "Wrong-Password#1") for _ in range(5)]
        assert [a.status_code for a in answers] == [401] * 5
        first = entries(department, answers[0].headers["x-request-id"])
        assert (first[0]["event_type"], first[0]["severity"]) == ("login_failed", "warning")
        assert first[0]["event_data"]["reason"] == "invalid_credentials"
        assert len(first[0]["event_data"]["identifier_sha256"]) == 64
        assert username not in json.dumps(first[0]["event_data"])
        last = entries(department, answers[-1].headers["x-request-id"], count=2)
        locked = of_type(last, "account_locked")
        assert (locked["event_category"], locked["severity"]) == ("security", "warning")
        assert same_id(locked["user_id"], user_id)
        assert locked["event_data"]["failed_attempts"] == 5

    def test_logout_and_token_reuse(self, department: Department) -> None:
        _, username = department.add_member("member")
        with httpx.Client(base_url=department.gateway) as client:
            sign_in(client, username)
            logout = client.post("/api/v1/auth/logout", headers=csrf(client))
            sign_in(client, username)
            stolen = client.cookies.get("refresh_token", path="/api/v1/auth/") or ""
            assert client.post("/api/v1/auth/refresh", headers=csrf(client)).status_code == 200
            reuse = httpx.post(
                f"{department.gateway}/api/v1/auth/refresh", cookies={"refresh_token": stolen}
            )
        assert (logout.status_code, reuse.status_code) == (200, 401)
        assert entries(department, logout.headers["x-request-id"])[0]["event_type"] == "logout"
        reused = entries(department, reuse.headers["x-request-id"], count=2)
        detected = of_type(reused, "refresh_token_reuse_detected")
        assert (detected["event_category"], detected["severity"]) == ("security", "critical")
        assert of_type(reused, "sessions_revoked")["severity"] == "warning"

    def test_a_password_change(self, department: Department) -> None:
        user_id, username = department.add_member("member")
        with department.signed_in(username) as client:
            change = client.post(
                "/api/v1/auth/change-password",
                json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            )
        assert change.status_code == 200, change.text
        changed = entries(department, change.headers["x-request-id"], count=2)
        password = of_type(changed, "password_changed")
        assert (password["event_category"], password["severity"]) == ("auth", "info")
        assert same_id(password["user_id"], user_id)
        assert password["event_data"]["method"] == "self"
        assert of_type(changed, "sessions_revoked")["event_data"]["reason"] == "password_changed"

    def test_an_administrators_reset_names_the_administrator_and_the_target(
        self, department: Department
    ) -> None:
        target_id, target = department.add_member("member")
        with department.signed_in(department.admin_username) as client:
            response = client.post(
                f"/api/v1/users/{target_id}/reset-password",
                json={"new_password": NEW_PASSWORD, "force_change": True},
            )
        assert response.status_code == 200, response.text
        rows = entries(department, response.headers["x-request-id"], count=2)
        reset = of_type(rows, "admin_password_reset")
        assert (reset["event_category"], reset["severity"]) == ("security", "warning")
        assert reset["username"] == department.admin_username
        assert reset["event_data"]["target_user_id"] == target_id
        assert reset["event_data"]["target_username"] == target
        assert reset["event_data"]["force_change"] is True


class TestDelivery:
    def test_the_same_event_delivered_twice_is_recorded_once(self, department: Department) -> None:
        user_id, _ = department.add_member("member")
        request_id = f"twice-{uuid.uuid4().hex[:12]}"
        failed = LoginFailed(
            user_id=user_id,
            ip_address="192.0.2.7",
            user_agent="replay",
            identifier_sha256="0" * 64,
            reason="invalid_credentials",
            failed_attempts=1,
        )
        envelope = envelope_for(department, failed, request_id, actor=user_id)
        # Without Nats-Msg-Id, so JetStream keeps both copies and the consumer sees both.
        sequences = asyncio.run(publish(department, envelope, envelope))
        assert len(set(sequences)) == 2
        asyncio.run(wait_until_consumed(department, "api-audit", max(sequences)))
        (entry,) = entries(department, request_id)
        assert (entry["event_type"], entry["ip_address"]) == ("login_failed", "192.0.2.7")
        processed = department.query(
            "SELECT COUNT(*) AS n FROM processed_events WHERE consumer = 'api-audit'"
            " AND event_id = %s",
            str(envelope.id),
        )
        assert processed == [{"n": 1}]
        assert any(
            line.get("event") == "consumer.duplicate_skipped" and line.get("req_id") == request_id
            for line in department.stack.json_lines()
        )

    def test_a_deferred_entry_joins_the_chain(self, department: Department) -> None:
        request_id = f"deferred-{uuid.uuid4().hex[:12]}"
        deferred = AuditDeferred(
            event_type="location_display_code_regenerated",
            event_category="administration",
            severity="warning",
            event_data={"location_id": "loc-1", "location_name": "Station 9"},
            user_id=None,
            username="chief",
            ip_address="198.51.100.4",
            occurred_at="2026-01-02T03:04:05.678901+00:00",
        )
        asyncio.run(publish(department, envelope_for(department, deferred, request_id)))
        (entry,) = entries(department, request_id)
        assert (entry["event_type"], entry["event_category"], entry["severity"]) == (
            "location_display_code_regenerated",
            "administration",
            "warning",
        )
        assert entry["event_data"] == {"location_id": "loc-1", "location_name": "Station 9"}
        assert (entry["username"], entry["ip_address"]) == ("chief", "198.51.100.4")
        assert str(entry["timestamp"]) == "2026-01-02 03:04:05"
        with department.signed_in(department.admin_username) as client:
            integrity = client.get("/api/v1/security/audit-log/integrity").json()
        assert integrity["verified"] is True

    def test_an_event_of_no_organization_adds_nothing(self, department: Department) -> None:
        response = httpx.post(
            f"{department.gateway}/api/v1/auth/login",
            json={"username": f"nobody{uuid.uuid4().hex[:6]}", "password": "Wrong-Password#1"},
        )
        assert response.status_code == 401
        request_id = response.headers["x-request-id"]
        deadline = time.monotonic() + 10
        while not any(
            line.get("event") == "audit.event_without_organization"
            and line.get("req_id") == request_id
            for line in department.stack.json_lines()
        ):
            assert time.monotonic() < deadline, "the consumer never handled the event"
            time.sleep(0.1)
        assert department.query("SELECT id FROM audit_logs WHERE request_id = %s", request_id) == []


def envelope_for(
    department: Department, data: EventData, request_id: str, actor: str | None = None
) -> Envelope:
    return wrap(
        data,
        organization_id=uuid.UUID(department.organization_id),
        actor_id=uuid.UUID(actor) if actor else None,
        request_id=request_id,
    )


async def publish(department: Department, *envelopes: Envelope) -> list[int]:
    """Publish to the stack's own JetStream; the stream sequence of each message."""
    client = await nats.connect(f"nats://127.0.0.1:{department.stack.ports['nats']}")
    try:
        js = client.jetstream()
        return [(await js.publish(e.type, encode(e))).seq for e in envelopes]
    finally:
        await client.close()


async def wait_until_consumed(department: Department, durable: str, sequence: int) -> None:
    """Until the durable consumer acknowledged every message up to `sequence` (<= 10 s)."""
    client = await nats.connect(f"nats://127.0.0.1:{department.stack.ports['nats']}")
    try:
        deadline = time.monotonic() + 10
        while True:
            info = await client.jetstream().consumer_info("LOGBOOK", durable)
            if info.ack_floor.stream_seq >= sequence:
                return
            assert time.monotonic() < deadline, f"{durable} stuck at {info.ack_floor}"
            await asyncio.sleep(0.1)
    finally:
        await client.close()
