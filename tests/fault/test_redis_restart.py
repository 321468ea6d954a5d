"""Redis stopped and started again (issue 10, fault suite; F6).

While Redis is away members sign in and use their pages, /health says degraded, and the login
limit falls back to each service's memory (a lockout of its own). Once Redis answers again its
sliding window is the limit, and the fallback's lockout is gone for good: the next blip starts
the fallback afresh instead of bringing the old lockout back.
"""

import contextlib
from collections.abc import Iterator

import httpx
import pytest

from shared.ratelimit import REDIS_RETRY_SECONDS
from tests.e2e.department import PASSWORD
from tests.fault.platform import FaultPlatform, fault_platform
from tests.support.servers import wait_until

pytestmark = pytest.mark.e2e
LOGIN = "/api/v1/auth/login"
LIMIT = 5  # sign-in attempts per client address and minute (spec/auth.md §5.4)
FALLBACK_LOCKOUT = 1800


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultPlatform]:
    # The real limits (no RATE_LIMIT_MULTIPLIER): every attempt below is counted.
    with fault_platform(tmp_path_factory.mktemp("fault-redis")) as p:
        yield p


@contextlib.contextmanager
def redis_down(platform: FaultPlatform) -> Iterator[None]:
    """Redis stopped for the block (the platform sees it), started again (empty) afterwards."""
    platform.servers.redis.stop()
    try:
        platform.wait_for_health("degraded", redis="disconnected")
        yield
    finally:
        platform.servers.redis.start()
        platform.wait_for_health("healthy")


def sign_in(platform: FaultPlatform, username: str, password: str = PASSWORD) -> httpx.Response:
    return httpx.post(
        f"{platform.gateway}{LOGIN}", json={"username": username, "password": password}, timeout=20
    )


def wrong_sign_ins(platform: FaultPlatform, count: int) -> list[httpx.Response]:
    # Unknown names: the limit counts them per address, and no member's account gets locked.
    return [sign_in(platform, f"nobody{n}", "Wrong-Password#9") for n in range(count)]


def retry_after(response: httpx.Response) -> int:
    """The refusal's wait, checked against its envelope."""
    assert response.status_code == 429, response.text
    seconds = int(response.headers["retry-after"])
    assert response.json()["details"] == {"retryAfter": seconds}
    return seconds


def test_a_redis_blip_degrades_the_platform_then_normal_limits_return(
    platform: FaultPlatform,
) -> None:
    admin = platform.admin_username
    with platform.signed_in(admin) as client, redis_down(platform):
        # Degraded, not down: pages and sign-in work without Redis.
        assert httpx.get(f"{platform.gateway}/health/redis", timeout=10).status_code == 503
        assert client.get("/api/v1/auth/me").status_code == 200
        assert client.get("/api/v1/users").status_code == 200
        assert sign_in(platform, admin).status_code == 200
        # The memory fallback limits: the sixth attempt in a minute locks the address.
        answers = wrong_sign_ins(platform, LIMIT)
        assert [a.status_code for a in answers[:-1]] == [401] * (LIMIT - 1)
        assert retry_after(answers[-1]) == FALLBACK_LOCKOUT
        assert retry_after(sign_in(platform, admin)) > FALLBACK_LOCKOUT - 60

    # Redis is back (empty): once a service tries it again, its sliding window decides.
    def admitted() -> bool:
        response = sign_in(platform, admin)
        if response.status_code == 429:
            return False
        assert response.status_code == 200, response.text
        return True

    # Each try is a sign-in: a few a second, not a storm against the limit being tested.
    wait_until(admitted, REDIS_RETRY_SECONDS + 10, "a sign-in once Redis answers", every=0.5)
    answers = wrong_sign_ins(platform, LIMIT)
    assert [a.status_code for a in answers[:-1]] == [401] * (LIMIT - 1)
    assert 1 <= retry_after(answers[-1]) <= 60  # the window's wait, not the fallback lockout

    # The next blip starts the fallback afresh: the lockout of the first one is gone.
    with redis_down(platform):
        again = sign_in(platform, admin)
        assert again.status_code == 200, f"{again.status_code}, Retry-After {again.headers}"
