"""The whole platform as `make run` starts it: gateway, three services, embedded NATS, SQLite."""

import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.stack import Stack, start_stack

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


class TestSupervision:
    def test_sigterm_stops_every_process(self, tmp_path: Path) -> None:
        stack = start_stack(tmp_path)
        assert stack.stop(signal.SIGTERM) == 0
        assert stack.listening() == []

    def test_a_dying_child_stops_the_whole_platform(self, tmp_path: Path) -> None:
        stack = start_stack(tmp_path)
        (api_pid,) = [
            line["pid"]
            for line in stack.json_lines()
            if line.get("event") == "run.started" and line.get("process") == "api"
        ]

        os.kill(api_pid, signal.SIGKILL)
        code = stack.process.wait(timeout=30)
        assert code != 0
        assert "api exited" in stack.log_path.read_text()
        assert stack.listening() == []
