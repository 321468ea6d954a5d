"""Sentry for real: a forced 500 in each running service reaches a local ingest endpoint."""

import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.department import Platform
from tests.e2e.stack import start_stack
from tests.support.sentry import sentry_collector, sentry_events

pytestmark = pytest.mark.e2e

SECRETS = {
    "cookie": "cookie-secret-7f3a",
    "token": "bearer-secret-91c2",
    "password": "Password-Secret#4411",
}


def _force_a_500(port: int, request_id: str) -> httpx.Response:
    return httpx.get(
        f"http://127.0.0.1:{port}/internal/sentry-check",
        headers={
            "X-Request-ID": request_id,
            "Authorization": f"Bearer {SECRETS['token']}",
            "Cookie": f"access_token={SECRETS['cookie']}",
        },
        params={"username": "chief", "password": SECRETS["password"]},
        timeout=10,
    )


def _events_within(received: list[bytes], count: int, seconds: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        events = sentry_events(received)
        if len(events) >= count:
            return events
        time.sleep(0.2)
    return sentry_events(received)


def test_each_service_reports_a_500_tagged_and_scrubbed(tmp_path: Path) -> None:
    with sentry_collector() as (dsn, received):
        stack = start_stack(tmp_path, SENTRY_ENABLED="true", SENTRY_DSN=dsn)
        try:
            sent = {}
            for service in ("auth", "api", "health"):
                request_id = str(uuid.uuid4())
                response = _force_a_500(stack.ports[service], request_id)
                assert response.status_code == 500, service
                assert response.json()["code"] == "LB-SYS-001"
                assert response.json()["request_id"] == request_id
                sent[service] = request_id
            # The check route is for the private network: the gateway does not route it.
            public = httpx.get(f"{stack.gateway}/internal/sentry-check", timeout=10)
            assert public.status_code == 404
            events = _events_within(received, 3, seconds=15)
        finally:
            stack.stop()
    tagged = {event["tags"]["service"]: event["tags"]["req_id"] for event in events}
    assert tagged == sent
    for event in events:
        assert event["exception"]["values"][-1]["type"] == "SentryCheckError"
        dumped = json.dumps(event)
        for secret in SECRETS.values():
            assert secret not in dumped


def test_the_check_route_exists_only_with_sentry_on(shared_platform: Platform) -> None:
    # The worker's shared platform runs without Sentry.
    response = _force_a_500(shared_platform.stack.ports["api"], str(uuid.uuid4()))
    assert response.status_code == 404
