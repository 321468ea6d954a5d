"""Login rate limit through the gateway (spec/auth.md §5.4), on a stack of this module's own
(the Redis store) and on test_stack's (the memory store).

Every client of every stack reaches the services as 127.0.0.1 (the gateway sets `X-Real-IP`
from the TCP peer), so these refusals must not happen on a stack other tests share.
"""

import time
from pathlib import Path

import httpx
import pytest
import redis

from tests.e2e.stack import Stack, start_stack
from tests.support.servers import wait_until

pytestmark = pytest.mark.e2e
PASSWORD = "Wrong-Password#99"


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
            body = {"username": f"nobody{attempt}", "password": PASSWORD}
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
    assert PASSWORD not in stack.log_path.read_text() + stack.out_path.read_text()


def test_the_sixth_wrong_login_in_a_minute_is_429_with_the_redis_store(
    tmp_path: Path, redis_url: str
) -> None:
    # The memory store (no REDIS_URL, as `make run` starts) is tested on test_stack's platform.
    clear_rate_limit_keys(redis_url)
    stack = start_stack(tmp_path, REDIS_URL=redis_url)
    try:
        assert_the_sixth_wrong_login_is_429(stack, redis_store=True)
    finally:
        stack.stop()
        clear_rate_limit_keys(redis_url)
