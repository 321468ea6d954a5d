"""The database killed (SIGKILL) under writes and started again (issue 10, fault suite).

While it is down every request that needs it answers 503 with `Retry-After` in the standard
envelope, quickly; once it is back the platform serves again without restarting anything, and
every write that was answered 201 is still there.
"""

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.fault.platform import FaultPlatform, Writer, fault_platform, writing
from tests.support.servers import wait_until

pytestmark = pytest.mark.e2e
LOCATIONS = "/api/v1/locations"
ANSWER_SECONDS = 5.0  # the longest any request may take while the database is down
RECOVERY_SECONDS = 15.0


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultPlatform]:
    with fault_platform(tmp_path_factory.mktemp("fault-db"), RATE_LIMIT_MULTIPLIER="100") as p:
        yield p


def assert_unavailable(response: httpx.Response) -> None:
    """503 with Retry-After, in the standard envelope."""
    assert response.status_code == 503, response.text
    retry_after = int(response.headers["retry-after"])
    assert retry_after > 0
    assert response.json() == {
        "detail": "Service temporarily unavailable, please retry",
        "code": "LB-SYS-002",
        "request_id": response.headers["x-request-id"],
    }


def created_ids(writer: Writer) -> list[str]:
    return [
        w.response.json()["id"]
        for w in writer.writes
        if w.response is not None and w.response.status_code == 201
    ]


def test_a_killed_database_answers_503_then_recovers_with_every_commit(
    platform: FaultPlatform,
) -> None:
    processes = platform.started_processes()
    mariadb = platform.servers.mariadb
    with (
        platform.signed_in(platform.admin_username) as admin,
        platform.signed_in(platform.admin_username) as writer_client,
        writing(
            lambda n: writer_client.post(
                LOCATIONS, json={"name": f"Bay {n} {uuid.uuid4().hex[:6]}"}
            )
        ) as writer,
    ):
        wait_until(lambda: len(created_ids(writer)) >= 3, 30, "three locations before the kill")
        mariadb.kill()
        killed_at = time.monotonic()

        # Reads, writes and sign-in all need the database: 503 each, promptly.
        for request in (
            admin.build_request("GET", LOCATIONS),
            admin.build_request("GET", "/api/v1/users"),
            admin.build_request("POST", LOCATIONS, json={"name": "During the outage"}),
            admin.build_request(
                "POST",
                "/api/v1/auth/login",
                json={"username": platform.admin_username, "password": "Not-The-Password#1"},
            ),
        ):
            response = admin.send(request)
            assert response.elapsed.total_seconds() < ANSWER_SECONDS, request.url
            assert_unavailable(response)
        # The health service checks at most once a second: it says so within a few.
        platform.wait_for_health("unhealthy", within=ANSWER_SECONDS)
        wait_until(lambda: len(writer.answered_since(killed_at)) >= 3, 30, "writes while down")

        starting_at = time.monotonic()
        mariadb.start()
        recovered = wait_until(
            lambda: admin.get(LOCATIONS).status_code == 200, RECOVERY_SECONDS, "recovery"
        )
        restarted_at = time.monotonic()
        wait_until(
            lambda: len([w for w in writer.answered_since(restarted_at) if w.response]) >= 3,
            30,
            "writes after the restart",
        )

    statuses = {w.response.status_code if w.response else w.error for w in writer.writes}
    assert statuses <= {201, 503}, statuses
    assert max(w.seconds for w in writer.writes) < ANSWER_SECONDS
    for w in writer.writes:
        if w.response is not None and w.response.status_code == 503:
            assert_unavailable(w.response)
    during = [w for w in writer.answered_since(killed_at) if w.sent_at + w.seconds < starting_at]
    assert len(during) >= 3
    assert {w.response.status_code for w in during if w.response} == {503}
    # Every write the platform confirmed survived the kill.
    confirmed = {uuid.UUID(location_id).hex for location_id in created_ids(writer)}
    stored = {row["id"] for row in platform.query("SELECT id FROM locations")}
    assert confirmed <= {uuid.UUID(str(location_id)).hex for location_id in stored}
    assert recovered < RECOVERY_SECONDS
    # Nothing was restarted: the same processes serve, and `logbook run` started no other.
    assert platform.stack.process.poll() is None
    assert platform.started_processes() == processes
    platform.wait_for_health("healthy")
