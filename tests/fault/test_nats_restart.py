"""NATS stopped under writes and started again with the same store (issue 10, fault suite).

Writes go on while NATS is away; afterwards each has exactly one event in the stream and one
audit entry. Then sign-out, an administrator's password reset and a password change end every
session on every service within a second (F1), after the restart and while NATS is down. The
health service has no signed-in route, so auth (`/auth/me`) and the api are the services asked.
"""

import asyncio
import contextlib
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import nats
import pytest
from nats.js.api import DeliverPolicy

from shared.events.envelope import Envelope, decode
from tests.e2e.department import PASSWORD
from tests.fault.platform import FaultPlatform, Write, fault_platform, writing
from tests.support.servers import wait_until

pytestmark = pytest.mark.e2e
LOCATIONS = "/api/v1/locations"
LOGIN = "/api/v1/auth/login"
OUTAGE_SECONDS = 6.0
DRAIN_SECONDS = 30.0
REVOKED_WITHIN = 1.0
NEW_PASSWORD = "Pumper-Nine-Rolls#42"
# One route of auth's and two of the api's (a read and a write) that a session ending must close.
SIGNED_IN_ROUTES: tuple[tuple[str, str, dict[str, str] | None], ...] = (
    ("GET", "/api/v1/auth/me", None),
    ("GET", "/api/v1/users", None),
    ("PATCH", "/api/v1/organization/profile", {"county": "Sangamon"}),
)


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultPlatform]:
    # Every client is 127.0.0.1: the sign-ins under test must not meet the login limit.
    with fault_platform(tmp_path_factory.mktemp("fault-nats"), RATE_LIMIT_MULTIPLIER="100") as p:
        yield p


@dataclass
class Outage:
    """The writes made before, during and after NATS was stopped and started again."""

    writes: list[Write]
    stopped_at: float
    started_at: float

    def answers(self, path: str) -> list[httpx.Response]:
        return [w.response for w in self.writes if w.response and w.response.url.path == path]


@pytest.fixture(scope="module")
def restarted(platform: FaultPlatform) -> Outage:
    """NATS stopped for OUTAGE_SECONDS under writes and started again with its store."""
    _, username = platform.add_member("member")

    def write(number: int) -> httpx.Response:
        # Locations (the api's outbox) and sign-ins (auth's outbox, audited by the api's consumer).
        if number % 2:
            return httpx.post(
                f"{platform.gateway}{LOGIN}",
                json={"username": username, "password": PASSWORD},
                timeout=20,
            )
        return admin.post(LOCATIONS, json={"name": f"Bay {number} {uuid.uuid4().hex[:6]}"})

    nats_server = platform.servers.nats
    with platform.signed_in(platform.admin_username) as admin, writing(write) as writer:
        wait_until(lambda: len(writer.writes) >= 4, 30, "writes before the outage")
        stopped_at = time.monotonic()
        nats_server.stop()
        platform.wait_for_health("degraded", nats="disconnected")
        wait_until(
            lambda: (
                time.monotonic() - stopped_at >= OUTAGE_SECONDS
                and len(writer.answered_since(stopped_at)) >= 8
            ),
            OUTAGE_SECONDS + 30,
            "writes during the outage",
        )
        started_at = time.monotonic()
        nats_server.start()
        platform.wait_for_health("healthy")
        wait_until(lambda: len(writer.answered_since(started_at)) >= 4, 30, "writes after it")
    return Outage(list(writer.writes), stopped_at, started_at)


def stream_events(platform: FaultPlatform, subject: str) -> list[Envelope]:
    """Every event on `subject` in the private stream, read to its end."""

    async def read() -> list[Envelope]:
        client = await nats.connect(platform.servers.nats.url)
        try:
            subscription = await client.jetstream().subscribe(
                subject, ordered_consumer=True, deliver_policy=DeliverPolicy.ALL
            )
            events = []
            while True:
                message = await subscription.next_msg(timeout=10)
                events.append(decode(message.data))
                if message.metadata.num_pending == 0:
                    return events
        finally:
            await client.close()

    return asyncio.run(read())


def outbox_drained(platform: FaultPlatform) -> bool:
    (row,) = platform.query("SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL")
    return row["n"] == 0


class TestWritesThroughTheRestart:
    def test_every_write_succeeds_and_has_one_event_and_one_audit_entry(
        self, platform: FaultPlatform, restarted: Outage
    ) -> None:
        during = [
            w for w in restarted.writes if restarted.stopped_at <= w.sent_at < restarted.started_at
        ]
        assert len(during) >= 8
        assert [w.error for w in restarted.writes if w.response is None] == []
        created = restarted.answers(LOCATIONS)
        signed_in = restarted.answers(LOGIN)
        assert {r.status_code for r in created} == {201}
        assert {r.status_code for r in signed_in} == {200}

        wait_until(lambda: outbox_drained(platform), DRAIN_SECONDS, "the outbox to drain")
        assert platform.query("SELECT id FROM outbox WHERE failed_at IS NOT NULL") == []
        location_ids = Counter(uuid.UUID(r.json()["id"]) for r in created)
        events = Counter(
            uuid.UUID(event.data["location_id"])
            for event in stream_events(platform, "logbook.api.location.created")
        )
        assert events == location_ids  # each location once: none lost, none doubled
        request_ids = Counter(r.headers["x-request-id"] for r in signed_in)
        logins = Counter(
            event.request_id for event in stream_events(platform, "logbook.auth.login.succeeded")
        )
        assert {rid: logins[rid] for rid in request_ids} == request_ids

        # The api's consumer turned each sign-in event into exactly one audit entry.
        def audited() -> Counter[str]:
            rows = platform.query(
                "SELECT request_id FROM audit_logs WHERE event_type = 'login_succeeded'"
            )
            return Counter(row["request_id"] for row in rows if row["request_id"] in request_ids)

        wait_until(lambda: set(audited()) == set(request_ids), DRAIN_SECONDS, "sign-in entries")
        assert audited() == request_ids
        rows = platform.query(
            "SELECT JSON_UNQUOTE(JSON_EXTRACT(event_data, '$.location_id')) AS location_id"
            " FROM audit_logs WHERE event_type = 'location_created'"
        )
        assert Counter(uuid.UUID(row["location_id"]) for row in rows) == location_ids


@contextlib.contextmanager
def nats_down(platform: FaultPlatform) -> Iterator[None]:
    """NATS stopped for the block (the platform sees it), started again afterwards."""
    platform.servers.nats.stop()
    try:
        platform.wait_for_health("degraded", nats="disconnected")
        yield
    finally:
        platform.servers.nats.start()
        platform.wait_for_health("healthy")


@dataclass
class Session:
    """A signed-in browser's cookies, replayed after the session ended."""

    access_token: str
    csrf_token: str

    def request(self, platform: FaultPlatform, method: str, path: str, body: object) -> int:
        cookies = {"access_token": self.access_token, "csrf_token": self.csrf_token}
        response = httpx.request(
            method,
            f"{platform.gateway}{path}",
            json=body,
            cookies=cookies,
            headers={"X-CSRF-Token": self.csrf_token},
            timeout=10,
        )
        if response.status_code == 401:
            assert response.json()["code"].startswith("LB-AUTH-"), response.text
        return response.status_code


def sign_in(platform: FaultPlatform, username: str, password: str = PASSWORD) -> Session:
    response = httpx.post(
        f"{platform.gateway}{LOGIN}", json={"username": username, "password": password}, timeout=20
    )
    assert response.status_code == 200, response.text
    return Session(response.cookies["access_token"], response.cookies["csrf_token"])


def assert_refused_everywhere(
    platform: FaultPlatform, sessions: list[Session], ended_at: float
) -> None:
    """Every route refuses every ended session once REVOKED_WITHIN has passed since the end.

    Judged by when each request was sent, not answered: on a loaded machine an answer can take
    a while, and a request sent in time that is accepted is no failure.
    """
    waiting = {(s, r) for s in range(len(sessions)) for r in range(len(SIGNED_IN_ROUTES))}
    while waiting:
        for session, route in sorted(waiting):
            method, path, body = SIGNED_IN_ROUTES[route]
            sent = time.monotonic() - ended_at
            status = sessions[session].request(platform, method, path, body)
            assert status in (200, 401), f"{method} {path}: {status}"
            if status == 401:
                waiting.discard((session, route))
            else:
                assert sent < REVOKED_WITHIN, f"{method} {path} accepted {sent:.2f} s after the end"
        if waiting:
            time.sleep(0.05)


@dataclass
class Member:
    """A member with permission for every signed-in route, signed in twice."""

    username: str
    sessions: list[Session]
    password: str = PASSWORD


def log_out(platform: FaultPlatform, member: Member) -> list[Session]:
    """The first session signs out; only it has ended."""
    ended = member.sessions[0]
    response = httpx.post(
        f"{platform.gateway}/api/v1/auth/logout",
        cookies={"access_token": ended.access_token, "csrf_token": ended.csrf_token},
        headers={"X-CSRF-Token": ended.csrf_token},
        timeout=20,
    )
    assert response.status_code == 200, response.text
    return [ended]


def change_password(platform: FaultPlatform, member: Member) -> list[Session]:
    """The member changes their password: every session of theirs has ended."""
    own = member.sessions[0]
    response = httpx.post(
        f"{platform.gateway}/api/v1/auth/change-password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        cookies={"access_token": own.access_token, "csrf_token": own.csrf_token},
        headers={"X-CSRF-Token": own.csrf_token},
        timeout=20,
    )
    assert response.status_code == 200, response.text
    member.password = NEW_PASSWORD
    return member.sessions


def admin_reset(platform: FaultPlatform, member: Member) -> list[Session]:
    """An administrator sets a new password: every session of the member has ended."""
    (row,) = platform.query("SELECT id FROM users WHERE username = %s", member.username)
    with platform.signed_in(platform.admin_username) as admin:
        response = admin.post(
            f"/api/v1/users/{uuid.UUID(str(row['id']))}/reset-password",
            json={"new_password": NEW_PASSWORD, "force_change": False},
        )
    assert response.status_code == 200, response.text
    member.password = NEW_PASSWORD
    return member.sessions


Ending = Callable[[FaultPlatform, Member], list[Session]]
ENDINGS = pytest.mark.parametrize("end", [log_out, admin_reset, change_password])


def end_sessions(platform: FaultPlatform, end: Ending) -> None:
    """A member with two sessions that reach every route; `end` ends some; all routes refuse
    those, and still serve the member's live sessions (refusing everyone would be no answer)."""
    _, username = platform.add_member("fire_chief")
    member = Member(username, [sign_in(platform, username), sign_in(platform, username)])
    assert_served(platform, member.sessions)
    ended = end(platform, member)
    assert_refused_everywhere(platform, ended, time.monotonic())
    live = [s for s in member.sessions if s not in ended]
    assert_served(platform, [*live, sign_in(platform, username, member.password)])


def assert_served(platform: FaultPlatform, sessions: list[Session]) -> None:
    for session in sessions:
        for method, path, body in SIGNED_IN_ROUTES:
            assert session.request(platform, method, path, body) == 200, f"{method} {path}"


@pytest.mark.usefixtures("restarted")
class TestSessionsEndEverywhere:
    @ENDINGS
    def test_after_nats_restarted(self, platform: FaultPlatform, end: Ending) -> None:
        end_sessions(platform, end)

    @ENDINGS
    def test_while_nats_is_down(self, platform: FaultPlatform, end: Ending) -> None:
        with nats_down(platform):
            end_sessions(platform, end)
