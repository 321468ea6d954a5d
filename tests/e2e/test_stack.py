"""The whole platform as `make run` starts it: gateway, three services, embedded NATS, SQLite;
and beside it one on the worker's Redis. Their login limits (spec/auth.md §5.4, memory and
Redis stores), then their ends: each supervision test stops one of the two platforms.

Every client of every stack reaches the services as 127.0.0.1 (the gateway sets `X-Real-IP`
from the TCP peer), so the login refusals must not happen on a stack other modules share.
"""

import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests.e2e.stack import Stack, start_stack
from tests.e2e.test_auth_processes import (
    auth_process,
    hash_at_once,
    service_process,
    still_running,
)
from tests.health.test_health import assert_services
from tests.support.servers import wait_until

pytestmark = pytest.mark.e2e
WRONG_PASSWORD = "Wrong-Password#99"


def clear_rate_limit_keys(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match="auth:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def wait_for_auth(stack: Stack) -> None:
    """/health answers before the auth service may: a 502 from the gateway would not count."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if httpx.get(f"{stack.gateway}/api/v1/auth/branding", timeout=5).status_code == 200:
            return
        time.sleep(0.3)
    raise RuntimeError("the auth service never answered through the gateway")


def assert_the_sixth_wrong_login_is_429(stack: Stack, *, redis_store: bool) -> None:
    """Six wrong sign-ins from 127.0.0.1: five 401s, then a 429 logged once, without the
    password. The stack's only sign-ins: nothing else may count against 127.0.0.1 there."""
    wait_for_auth(stack)
    with httpx.Client(base_url=stack.gateway, timeout=15) as client:
        statuses = []
        for attempt in range(6):
            body = {"username": f"nobody{attempt}", "password": WRONG_PASSWORD}
            statuses.append(client.post("/api/v1/auth/login", json=body))
    assert [r.status_code for r in statuses[:5]] == [401] * 5
    refused = statuses[5]
    assert refused.status_code == 429
    retry_after = int(refused.headers["retry-after"])
    # Redis: until the oldest attempt leaves the minute; memory: the whole fallback lock.
    assert 1 <= retry_after <= 60 if redis_store else retry_after == 1800
    assert refused.json() == {
        "detail": "Too many requests; try again later",
        "code": "LB-API-429",
        "request_id": refused.headers["x-request-id"],
        "details": {"retryAfter": retry_after},
    }

    def refusals() -> list[tuple[str, str]]:
        lines = [line for line in stack.json_lines() if line.get("event") == "ratelimit.refused"]
        return [(line["bucket"], line["ip"]) for line in lines]

    wait_until(lambda: bool(refusals()), 10, "the refusal's log line")
    assert refusals() == [("login", "127.0.0.1")]
    assert WRONG_PASSWORD not in stack.log_path.read_text() + stack.out_path.read_text()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(tmp_path_factory.mktemp("stack"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def redis_stack(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Stack]:
    """A platform whose limits live in the worker's Redis database."""
    clear_rate_limit_keys(redis_url)
    running = start_stack(tmp_path_factory.mktemp("redis-stack"), REDIS_URL=redis_url)
    try:
        yield running
    finally:
        running.stop()
        clear_rate_limit_keys(redis_url)


class TestRunningPlatform:
    def test_health_through_the_gateway_is_healthy(self, stack: Stack) -> None:
        response = httpx.get(f"{stack.gateway}/health")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "healthy"
        assert body["checks"]["database"] == "connected"
        assert body["checks"]["nats"] == "connected"  # the embedded NATS, not the system one
        # Plain-http development: no HSTS pinning 127.0.0.1 to https, no Secure cookies.
        assert "strict-transport-security" not in response.headers

    def test_a_service_that_seals_no_secret_never_loads_cryptography(self, stack: Stack) -> None:
        # PyJWT is loaded with it hidden (launcher/cli.py; tokens are HS256) and shared.crypto
        # imports it only to seal or open a secret: 10 MiB less in each such process.
        health = service_process(stack, "health")
        assert httpx.get(f"{stack.gateway}/health").status_code == 200  # serving, imports done
        maps = Path(f"/proc/{health.pid}/maps").read_text()
        assert "pydantic_core" in maps  # its libraries are listed here
        assert "cryptography" not in maps

    def test_the_database_is_migrated_once_and_every_service_waits_for_it(
        self, stack: Stack
    ) -> None:
        lines = stack.json_lines()
        migrated_by = [line["service"] for line in lines if line.get("event") == "migrate.start"]
        ready_for = sorted(
            line["service"] for line in lines if line.get("event") == "database.ready"
        )
        # One `logbook migrate` before the services, which then only wait for the database.
        assert migrated_by == ["migrate"]
        assert ready_for == ["api", "auth", "health", "migrate"]

    def test_the_gateway_request_id_is_in_the_service_access_line(self, stack: Stack) -> None:
        response = httpx.get(f"{stack.gateway}/health/db", headers={"X-Request-ID": "client"})
        req_id = response.headers["x-request-id"]
        assert uuid.UUID(req_id).version == 4

        def access_lines(lines: list[dict[str, object]]) -> list[dict[str, object]]:
            return [
                x for x in lines if x.get("event") == "http.request" and x.get("req_id") == req_id
            ]

        access = access_lines(stack.json_lines_until(lambda lines: bool(access_lines(lines))))
        assert len(access) == 1
        (line,) = access
        assert line["service"] == "health"
        assert line["method"] == "GET"
        assert line["path"] == "/health/db"
        assert line["status"] == 200
        assert isinstance(line["duration"], float | int)

    def test_the_gateway_logs_what_no_service_answered_with_its_request_id(
        self, stack: Stack
    ) -> None:
        req_id = httpx.get(f"{stack.gateway}/internal").headers["x-request-id"]

        def gateway_lines() -> list[dict[str, object]]:
            return [line for line in stack.json_lines() if line.get("req_id") == req_id]

        wait_until(lambda: bool(gateway_lines()), 10, "the gateway's access line")
        (line,) = gateway_lines()
        assert line["status"] == 404
        assert str(line["logger"]).startswith("http.log.access")

    def test_every_service_logs_json_with_service_and_req_id(self, stack: Stack) -> None:
        services = {
            line.get("service")
            for line in stack.json_lines()
            if "service" in line and "req_id" in line
        }
        assert {"auth", "api", "health", "run"} <= services

    def test_a_forged_authorization_is_not_a_credential(self, stack: Stack) -> None:
        response = httpx.get(
            f"{stack.gateway}/api/v1/anything", headers={"Authorization": "Bearer forged"}
        )
        assert response.status_code == 404
        assert response.json()["code"] == "LB-API-404"
        assert response.headers["cache-control"] == "no-store"

    def test_real_auth_and_api_are_up_through_the_gateway(self, stack: Stack) -> None:
        # The services start side by side: the health service may answer before they listen.
        deadline = time.monotonic() + 30
        while (response := httpx.get(f"{stack.gateway}/health/services")).status_code != 200:
            assert time.monotonic() < deadline, response.text
            time.sleep(0.2)
        health = httpx.get(f"{stack.gateway}/health").json()
        assert response.json()["status"] == "up"
        assert_services(response.json(), "up")
        assert (health["checks"]["auth"], health["checks"]["api"]) == ("up", "up")

    def test_the_sixth_wrong_login_in_a_minute_is_429_with_the_memory_store(
        self, stack: Stack
    ) -> None:
        # No REDIS_URL: the memory store. No other test of this module signs in.
        assert_the_sixth_wrong_login_is_429(stack, redis_store=False)


class TestRedisStore:
    def test_the_sixth_wrong_login_in_a_minute_is_429_with_the_redis_store(
        self, redis_stack: Stack
    ) -> None:
        assert_the_sixth_wrong_login_is_429(redis_stack, redis_store=True)


class TestSupervision:
    """Each test ends one of the module's two platforms, once the tests above are done with it."""

    def test_sigterm_stops_every_process(self, stack: Stack) -> None:
        # The platform stops auth with SIGTERM, as an operator would: its hashing workers end
        # with it (killed outright below).
        workers = hash_at_once(stack)
        assert workers
        assert stack.stop(signal.SIGTERM) == 0
        assert stack.listening() == []
        assert still_running(workers) == []

    def test_a_dying_child_stops_the_whole_platform(self, redis_stack: Stack) -> None:
        # The child is auth, killed outright: the same platform shows that its hashing
        # workers do not outlive it (the test above stops them with SIGTERM).
        stack = redis_stack
        try:
            service = auth_process(stack)
            workers = hash_at_once(stack)
            assert workers
            service.send_signal(signal.SIGKILL)
            assert still_running(workers) == []
            code = stack.process.wait(timeout=30)
        finally:
            stack.stop(signal.SIGKILL)
        assert code != 0
        assert "auth exited" in stack.log_path.read_text()
        assert stack.listening() == []
