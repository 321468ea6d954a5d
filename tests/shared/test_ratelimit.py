"""Per-client-IP auth rate limits (spec/auth.md §5.4), on Redis and on the in-process fallback."""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import msgspec
import pytest
import redis.asyncio as redis
from httpx import AsyncClient, Response
from litestar import Litestar, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from shared.app import ServiceSpec, create_service_app
from shared.errors import EXCEPTION_HANDLERS
from shared.ratelimit import AUTH, Bucket, MemoryLimiter, RateLimitMiddleware
from shared.settings import Settings
from tests.support.client import app_client
from tests.support.proxy import free_port

LOGIN = "/api/v1/auth/login"
CREDENTIALS = {"username": "chief", "password": "Engine-Nine-Rolls#42"}
MODES = ["redis", "memory"]


class LoginBody(msgspec.Struct):
    """Validated like the real login, so a bad body is a 422 that still counts."""

    username: Annotated[str, msgspec.Meta(min_length=3)]
    password: Annotated[str, msgspec.Meta(min_length=8)]


@post(LOGIN, status_code=200, sync_to_thread=False)
def login(data: JSONBody[LoginBody]) -> dict[str, str]:
    """Stands in for the auth service's login."""
    return {"username": data.username}


@get(LOGIN, sync_to_thread=False)
def login_page() -> dict[str, bool]:
    """Not a POST: never counted."""
    return {"ok": True}


@post("/api/v1/auth/mfa/login", status_code=200, sync_to_thread=False)
def mfa_login() -> dict[str, bool]:
    """In the login bucket too."""
    return {"ok": True}


@post("/api/v1/auth/register", status_code=201, sync_to_thread=False)
def register() -> dict[str, bool]:
    """The register bucket."""
    return {"ok": True}


@post("/api/v1/auth/refresh", status_code=200, sync_to_thread=False)
def refresh() -> dict[str, bool]:
    """The token_refresh bucket."""
    return {"ok": True}


@post("/api/v1/users/{user_id:str}/reset-mfa", status_code=200, sync_to_thread=False)
def reset_mfa(user_id: FromPath[str]) -> dict[str, str]:
    """The admin_password_reset bucket."""
    return {"user_id": user_id}


ROUTES = [login, login_page, mfa_login, register, refresh, reset_mfa]


def create_limited_app(settings: Settings) -> Litestar:
    """A service from the shared factory whose paths are the §5.4 endpoints."""
    return create_service_app(ServiceSpec(name="ratesvc", route_handlers=ROUTES), settings)


@pytest.fixture
async def clean_redis(redis_url: str) -> AsyncIterator[str]:
    """The worker's Redis database, without rate-limit keys before and after the test."""
    client = redis.Redis.from_url(redis_url)

    async def flush() -> None:
        keys = [key async for key in client.scan_iter(match="auth:*")]
        if keys:
            await client.delete(*keys)

    await flush()
    yield redis_url
    await flush()
    await client.aclose()


@pytest.fixture
async def redis_client(clean_redis: str) -> AsyncIterator[redis.Redis]:
    client = redis.Redis.from_url(clean_redis)
    yield client
    await client.aclose()


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def limited_settings(
    mode: str, make_settings: Callable[..., Settings], clean_redis: str
) -> Callable[..., Settings]:
    """Settings on Redis or without it (the fallback), overrides on top."""

    def build(**overrides: Any) -> Settings:
        values = {"redis_url": clean_redis} if mode == "redis" else {}
        return make_settings(**{**values, **overrides})

    return build


@pytest.fixture
async def client(limited_settings: Callable[..., Settings]) -> AsyncIterator[AsyncClient]:
    async with app_client(create_limited_app(limited_settings())) as test_client:
        yield test_client


async def post_n(client: AsyncClient, path: str, times: int, **kwargs: Any) -> list[int]:
    return [(await client.post(path, **kwargs)).status_code for _ in range(times)]


def expected_retry_after(mode: str, window: int, lockout: int) -> range:
    """Redis: until the oldest request leaves the window; fallback: the whole lockout."""
    return range(1, window + 1) if mode == "redis" else range(lockout, lockout + 1)


def assert_refused(response: Response, allowed: range) -> None:
    assert response.status_code == 429
    retry_after = int(response.headers["retry-after"])
    assert retry_after in allowed
    assert response.json() == {
        "detail": "Too many requests; try again later",
        "code": "LB-API-429",
        "request_id": response.headers.get("x-request-id"),  # none without the factory
        "details": {"retryAfter": retry_after},
    }


class TestLoginBucket:
    async def test_the_sixth_login_in_a_minute_is_429(self, client: AsyncClient, mode: str) -> None:
        assert await post_n(client, LOGIN, 5, json=CREDENTIALS) == [200] * 5
        assert_refused(
            await client.post(LOGIN, json=CREDENTIALS), expected_retry_after(mode, 60, 1800)
        )

    async def test_invalid_bodies_count_before_validation(self, client: AsyncClient) -> None:
        assert await post_n(client, LOGIN, 5, json={"username": "x"}) == [422] * 5
        assert (await client.post(LOGIN, json=CREDENTIALS)).status_code == 429

    async def test_mfa_login_shares_the_login_bucket(self, client: AsyncClient) -> None:
        await post_n(client, LOGIN, 3, json=CREDENTIALS)
        statuses = await post_n(client, "/api/v1/auth/mfa/login", 3)
        assert statuses == [200, 200, 429]

    async def test_doubled_slashes_count_against_the_same_bucket(self, client: AsyncClient) -> None:
        # The gateway passes /api/v1//auth/login on as it is and the router serves it as the
        # login route; the router also hands the middleware the path it matched, so the
        # doubled slashes count too (checked: a review took them for a way around the limit).
        spellings = ["/api/v1//auth/login", "/api/v1/auth//login/", "/api/v1//auth//login"]
        statuses = [
            (await client.post(path, json=CREDENTIALS)).status_code
            for path in [LOGIN, LOGIN, *spellings, LOGIN]
        ]
        assert statuses[-1] == 429, statuses

    async def test_gets_and_other_paths_are_not_counted(self, client: AsyncClient) -> None:
        for _ in range(8):
            assert (await client.get(LOGIN)).status_code == 200
            assert (await client.post("/api/v1/auth/login/extra")).status_code == 404
        assert await post_n(client, LOGIN, 5, json=CREDENTIALS) == [200] * 5

    async def test_a_refusal_is_logged_without_the_body(
        self, client: AsyncClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        await post_n(client, LOGIN, 5, json=CREDENTIALS)
        with caplog.at_level(logging.WARNING):
            await client.post(LOGIN, json=CREDENTIALS, headers={"X-Real-IP": "203.0.113.50"})
            await client.post(LOGIN, json=CREDENTIALS)
        refused = [r.msg for r in caplog.records if "ratelimit.refused" in r.getMessage()]
        assert len(refused) == 1
        assert isinstance(refused[0], dict)
        assert (refused[0]["bucket"], refused[0]["ip"]) == ("login", "127.0.0.1")
        assert CREDENTIALS["password"] not in caplog.text


class TestIndependence:
    async def test_each_bucket_counts_on_its_own(self, client: AsyncClient, mode: str) -> None:
        await post_n(client, LOGIN, 6, json=CREDENTIALS)
        assert await post_n(client, "/api/v1/auth/register", 4) == [201, 201, 201, 429]
        assert await post_n(client, "/api/v1/auth/refresh", 10) == [200] * 10
        refused = await client.post("/api/v1/auth/refresh")
        assert_refused(refused, expected_retry_after(mode, 60, 600))

    async def test_admin_resets_count_across_users(self, client: AsyncClient, mode: str) -> None:
        statuses = [
            (await client.post(f"/api/v1/users/u{n}/reset-mfa")).status_code for n in range(5)
        ]
        assert statuses == [200] * 5
        assert_refused(
            await client.post("/api/v1/users/u9/reset-mfa"), expected_retry_after(mode, 300, 900)
        )

    async def test_each_client_ip_counts_on_its_own(self, client: AsyncClient) -> None:
        first, second = {"X-Real-IP": "203.0.113.7"}, {"X-Real-IP": "203.0.113.8"}
        assert await post_n(client, LOGIN, 6, json=CREDENTIALS, headers=first) == [200] * 5 + [429]
        assert await post_n(client, LOGIN, 5, json=CREDENTIALS, headers=second) == [200] * 5
        assert await post_n(client, LOGIN, 5, json=CREDENTIALS) == [200] * 5  # the peer address


class TestRedisWindow:
    async def test_requests_are_kept_under_the_bucket_key(self, redis_client: redis.Redis) -> None:
        settings = Settings(_env_file=None)
        async with app_client(window_app(settings, redis_client, limit=5, window=60)) as client:
            await client.post(LOGIN, json=CREDENTIALS, headers={"X-Real-IP": "198.51.100.4"})
        assert await redis_client.zcard("auth:login:198.51.100.4") == 1
        assert 0 < await redis_client.pttl("auth:login:198.51.100.4") <= 60_000

    async def test_the_window_slides(self, redis_client: redis.Redis) -> None:
        settings = Settings(_env_file=None)
        async with app_client(window_app(settings, redis_client, limit=2, window=2)) as client:
            assert (await client.post(LOGIN, json=CREDENTIALS)).status_code == 200
            await asyncio.sleep(1)
            assert (await client.post(LOGIN, json=CREDENTIALS)).status_code == 200
            refused = await client.post(LOGIN, json=CREDENTIALS)
            assert_refused(refused, range(1, 2))  # the first request leaves in about 1 s
            await asyncio.sleep(1.1)
            # The first request has left; the second still counts, so a fixed window would
            # have let both of these through.
            assert await post_n(client, LOGIN, 2, json=CREDENTIALS) == [200, 429]


def window_app(settings: Settings, client: redis.Redis, *, limit: int, window: int) -> Litestar:
    """The middleware alone, with a login bucket of our own size."""
    bucket = Bucket("login", limit, window, 30, (AUTH + "login",))
    return Litestar(
        route_handlers=[login],
        middleware=[RateLimitMiddleware(settings, [bucket])],
        exception_handlers=EXCEPTION_HANDLERS,
        state=State({"redis": client}),
    )


class TestFallback:
    async def test_with_redis_down_the_fallback_still_limits(
        self, make_settings: Callable[..., Settings]
    ) -> None:
        settings = make_settings(redis_url=f"redis://127.0.0.1:{free_port()}/0")
        async with app_client(create_limited_app(settings)) as client:
            assert await post_n(client, LOGIN, 5, json=CREDENTIALS) == [200] * 5
            assert_refused(await client.post(LOGIN, json=CREDENTIALS), range(1800, 1801))

    def test_a_lock_lasts_the_lockout_then_the_client_starts_afresh(self) -> None:
        now = [0.0]
        limiter = MemoryLimiter(clock=lambda: now[0])
        bucket = Bucket("login", 2, 60, 1800, (AUTH + "login",))
        assert [limiter.hit("k", bucket) for _ in range(3)] == [None, None, 1800]
        now[0] = 1799.5
        assert limiter.hit("k", bucket) == 1
        now[0] = 1800.0
        assert [limiter.hit("k", bucket) for _ in range(3)] == [None, None, 1800]

    def test_before_the_limit_the_window_slides(self) -> None:
        now = [0.0]
        limiter = MemoryLimiter(clock=lambda: now[0])
        bucket = Bucket("login", 2, 60, 1800, (AUTH + "login",))
        assert limiter.hit("k", bucket) is None
        now[0] = 30.0
        assert limiter.hit("k", bucket) is None
        now[0] = 60.0  # the first request has left
        assert limiter.hit("k", bucket) is None
        assert limiter.hit("k", bucket) == 1800


class TestSettings:
    async def test_disabled_never_refuses(self, limited_settings: Callable[..., Settings]) -> None:
        settings = limited_settings(rate_limit_enabled=False)
        async with app_client(create_limited_app(settings)) as client:
            assert await post_n(client, LOGIN, 12, json=CREDENTIALS) == [200] * 12

    async def test_the_multiplier_scales_every_limit(
        self, limited_settings: Callable[..., Settings]
    ) -> None:
        settings = limited_settings(rate_limit_multiplier=2)
        async with app_client(create_limited_app(settings)) as client:
            assert await post_n(client, LOGIN, 11, json=CREDENTIALS) == [200] * 10 + [429]
            assert await post_n(client, "/api/v1/auth/register", 7) == [201] * 6 + [429]
