"""The whole platform as `make run` starts it: gateway, three services, embedded NATS, SQLite."""

import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.stack import Stack, start_stack
from tests.e2e.test_auth_processes import auth_process, hashing_workers, still_running
from tests.e2e.test_rate_limits import assert_the_sixth_wrong_login_is_429
from tests.health.test_health import assert_services

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(tmp_path_factory.mktemp("stack"))
    yield running
    running.stop()


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

    def test_the_gateway_request_id_is_in_the_service_access_line(self, stack: Stack) -> None:
        response = httpx.get(f"{stack.gateway}/health/db", headers={"X-Request-ID": "client"})
        req_id = response.headers["x-request-id"]
        assert uuid.UUID(req_id).version == 4
        deadline = time.monotonic() + 5
        access: list[dict[str, object]] = []
        while not access and time.monotonic() < deadline:
            access = [
                line
                for line in stack.json_lines()
                if line.get("event") == "http.request" and line.get("req_id") == req_id
            ]
            time.sleep(0.1)
        assert len(access) == 1
        (line,) = access
        assert line["service"] == "health"
        assert line["method"] == "GET"
        assert line["path"] == "/health/db"
        assert line["status"] == 200
        assert isinstance(line["duration"], float | int)
        assert any(
            entry.get("req_id") == req_id and "request" in entry for entry in stack.json_lines()
        ), "the gateway's access line carries req_id"

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


class TestSupervision:
    """Each test ends its platform: the module's own, once the tests above are done with it,
    and one more for the dying child."""

    def test_sigterm_stops_every_process(self, stack: Stack) -> None:
        # The platform stops auth with SIGTERM, as an operator would: its hashing workers end
        # with it (killed outright below).
        workers = [worker.pid for worker in hashing_workers(auth_process(stack))]
        assert len(workers) == 2
        assert stack.stop(signal.SIGTERM) == 0
        assert stack.listening() == []
        assert still_running(workers) == []

    def test_a_dying_child_stops_the_whole_platform(self, tmp_path: Path) -> None:
        # The child is auth, killed outright: the same platform shows that its hashing
        # workers do not outlive it (the test above stops them with SIGTERM).
        stack = start_stack(tmp_path)
        try:
            service = auth_process(stack)
            workers = [worker.pid for worker in hashing_workers(service)]
            assert len(workers) == 2
            service.send_signal(signal.SIGKILL)
            assert still_running(workers) == []
            code = stack.process.wait(timeout=30)
        finally:
            stack.stop(signal.SIGKILL)
        assert code != 0
        assert "auth exited" in stack.log_path.read_text()
        assert stack.listening() == []
