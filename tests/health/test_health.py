"""The health service on the real MariaDB, Redis and NATS, and on dead or silent stand-ins."""

import asyncio
import math
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
import uvicorn
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from health.app import create_app
from shared.app import ServiceSpec, create_service_app
from shared.db.session import create_sessionmaker
from shared.settings import Settings
from tests.support.client import app_client
from tests.support.proxy import TcpProxy, free_port

MakeSettings = Callable[..., Settings]
T = TypeVar("T")
ANSWER_WITHIN = 3.0  # seconds; the checks' own timeout is 2 s
NATS_PORT = 4222
REDIS_PORT = 6379
MARIADB_PORT = 3306


def services_at(auth_url: str, api_url: str) -> dict[str, str]:
    """Settings overrides pointing the health service at these internal URLs."""
    return {"auth_internal_url": auth_url, "api_internal_url": api_url}


def services_closed() -> dict[str, str]:
    """Both services on ports nothing listens on."""
    return services_at(f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}")


class BackgroundLoop:
    """An event loop on its own thread for the proxies.

    `AsyncTestClient` runs the app on a loop of its own and blocks the test's loop while a
    request is handled, so a proxy on the test's loop would never forward anything.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


class Proxies:
    """`TcpProxy`s in front of real servers, driven from the test through the background loop."""

    def __init__(self, background: BackgroundLoop) -> None:
        self.background = background
        self.started: list[TcpProxy] = []

    def start(self, target_port: int) -> TcpProxy:
        proxy = TcpProxy(target_port)
        self.background.run(proxy.restore())
        self.started.append(proxy)
        return proxy

    def cut(self, proxy: TcpProxy) -> None:
        self.background.run(proxy.cut())

    def restore(self, proxy: TcpProxy) -> None:
        self.background.run(proxy.restore())


@pytest.fixture
def proxies() -> Iterator[Proxies]:
    """Proxies on a loop of their own; all are cut at the end."""
    background = BackgroundLoop()
    started = Proxies(background)
    yield started
    for proxy in started.started:
        started.cut(proxy)
    background.run(asyncio.sleep(0.05))  # let the dropped connections finish
    background.close()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts TCP connections (the kernel completes them) and never answers."""
    with socket.create_server(("127.0.0.1", 0), backlog=128) as server:
        port: int = server.getsockname()[1]
        yield port


class ServedApp:
    """An app served by uvicorn on a free port, on a thread and event loop of its own."""

    def __init__(self, app: Litestar) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_config=None, access_log=False, ws="none"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert self.thread.is_alive(), "the served app did not start"
            assert time.monotonic() < deadline, "the served app did not start in time"
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def services_up(make_settings: MakeSettings) -> Iterator[dict[str, str]]:
    """Live auth and api internal health routes, as settings overrides.

    The shared app every service is built on (`shared.app`, which serves `/internal/health`),
    named auth and api, without their routes and consumers: the real auth and api apps run in
    the e2e test below.
    """
    served = {
        name: ServedApp(create_service_app(ServiceSpec(name, route_handlers=[]), make_settings()))
        for name in ("auth", "api")
    }
    for app in served.values():
        app.start()
    yield services_at(served["auth"].url, served["api"].url)
    for app in served.values():
        app.stop()


@asynccontextmanager
async def running(settings: Settings, **kwargs: Any) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=create_app(settings, **kwargs)) as client:
        yield client


async def wait_for_status(client: AsyncTestClient[Any], path: str, status_code: int) -> None:
    deadline = time.monotonic() + 10
    while (await client.get(path)).status_code != status_code:
        assert time.monotonic() < deadline, f"{path} never answered {status_code}"
        await asyncio.sleep(0.05)


async def wait_for_health(client: AsyncTestClient[Any], status: str) -> None:
    deadline = time.monotonic() + 10
    while (await client.get("/health")).json()["status"] != status:
        assert time.monotonic() < deadline, f"/health never said {status}"
        await asyncio.sleep(0.05)


async def wait_for_nats(client: AsyncTestClient[Any]) -> None:
    """NATS connects in the background after startup."""
    await wait_for_status(client, "/health/nats", 200)


def assert_measured(body: dict[str, Any]) -> None:
    latency = body["latency_ms"]
    assert isinstance(latency, int | float)
    assert not isinstance(latency, bool)
    assert math.isfinite(latency)
    assert latency >= 0


def mariadb_via(port: int, url: str) -> str:
    return make_url(url).set(port=port).render_as_string(hide_password=False)


class TestAllUp:
    async def test_health_is_healthy_and_ready_with_a_utc_timestamp(
        self, make_settings: MakeSettings, redis_url: str, services_up: dict[str, str]
    ) -> None:
        async with running(make_settings(redis_url=redis_url, **services_up)) as client:
            await wait_for_nats(client)
            # Each service trusts its view of sessions once its revocation stream is current.
            await wait_for_health(client, "healthy")
            response = await client.get("/health")

        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "healthy"
        assert body["ready"] is True
        assert body["checks"] == {
            "database": "connected",
            "redis": "connected",
            "nats": "connected",
            "auth": "up",
            "api": "up",
        }
        stamp = body["timestamp"]
        assert stamp.endswith(("Z", "+00:00"))
        parsed = datetime.fromisoformat(stamp)
        assert parsed.utcoffset() is not None
        assert parsed.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
        assert abs((datetime.now(UTC) - parsed).total_seconds()) < 60

    @pytest.mark.parametrize("dependency", ["db", "redis", "nats"])
    async def test_dependency_route_reports_connected_with_latency(
        self, make_settings: MakeSettings, redis_url: str, dependency: str
    ) -> None:
        async with running(make_settings(redis_url=redis_url)) as client:
            await wait_for_nats(client)
            response = await client.get(f"/health/{dependency}")

        assert response.status_code == 200
        assert response.json()["status"] == "connected"
        assert_measured(response.json())

    async def test_redis_not_configured_is_not_a_degradation(
        self, make_settings: MakeSettings, services_up: dict[str, str]
    ) -> None:
        async with running(make_settings(**services_up)) as client:
            await wait_for_nats(client)
            await wait_for_health(client, "healthy")  # fails if no Redis were a degradation
            redis_response = await client.get("/health/redis")
            health = await client.get("/health")

        assert redis_response.status_code == 200
        assert redis_response.json()["status"] == "not_configured"
        assert_measured(redis_response.json())
        assert health.json()["status"] == "healthy"

    async def test_app_given_a_sessionmaker_checks_that_database(
        self, make_settings: MakeSettings, migrated_mariadb: str
    ) -> None:
        settings = make_settings(database_url=None)  # would be SQLite: the sessionmaker wins
        # No pool: the app runs on a loop of its own, which is gone before this test ends.
        engine = create_async_engine(migrated_mariadb, poolclass=NullPool)

        async with running(settings, sessionmaker=create_sessionmaker(engine)) as client:
            response = await client.get("/health/db")
        await engine.dispose()

        assert response.status_code == 200
        assert response.json()["status"] == "connected"


class TestDegraded:
    async def test_redis_on_a_closed_port_degrades(self, make_settings: MakeSettings) -> None:
        settings = make_settings(redis_url=f"redis://127.0.0.1:{free_port()}/0")

        async with running(settings) as client:
            await wait_for_nats(client)
            health = await client.get("/health")
            redis_response = await client.get("/health/redis")

        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert health.json()["checks"]["redis"] == "disconnected"
        assert redis_response.status_code == 503
        assert redis_response.json()["status"] == "disconnected"
        assert_measured(redis_response.json())

    async def test_redis_cut_degrades_and_restored_recovers(
        self,
        make_settings: MakeSettings,
        proxies: Proxies,
    ) -> None:
        proxy = proxies.start(REDIS_PORT)
        settings = make_settings(redis_url=f"redis://127.0.0.1:{proxy.port}/0")

        async with running(settings) as client:
            await wait_for_nats(client)
            before = await client.get("/health/redis")
            proxies.cut(proxy)
            await wait_for_status(client, "/health/redis", 503)  # once the cached result ages
            health = await client.get("/health")
            proxies.restore(proxy)
            await wait_for_status(client, "/health/redis", 200)

        assert before.status_code == 200
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert health.json()["checks"]["redis"] == "disconnected"

    async def test_nats_unreachable_degrades(self, make_settings: MakeSettings) -> None:
        settings = make_settings(nats_url=f"nats://127.0.0.1:{free_port()}")

        async with running(settings) as client:
            health = await client.get("/health")
            nats_response = await client.get("/health/nats")

        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert health.json()["checks"]["nats"] == "disconnected"
        assert nats_response.status_code == 503
        assert nats_response.json()["status"] == "disconnected"
        assert_measured(nats_response.json())

    async def test_nats_connection_lost_degrades(
        self, make_settings: MakeSettings, proxies: Proxies
    ) -> None:
        proxy = proxies.start(NATS_PORT)
        settings = make_settings(nats_url=f"nats://127.0.0.1:{proxy.port}")

        async with running(settings) as client:
            await wait_for_nats(client)
            proxies.cut(proxy)
            await wait_for_status(client, "/health/nats", 503)
            nats_response = await client.get("/health/nats")
            health = await client.get("/health")
            proxies.restore(proxy)
            await wait_for_status(client, "/health/nats", 200)  # the client reconnects

        assert nats_response.json()["status"] == "disconnected"
        assert_measured(nats_response.json())
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"


class TestUnhealthy:
    async def test_database_cut_after_startup_is_unhealthy(
        self,
        make_settings: MakeSettings,
        proxies: Proxies,
        migrated_mariadb: str,
    ) -> None:
        proxy = proxies.start(MARIADB_PORT)
        settings = make_settings(database_url=mariadb_via(proxy.port, migrated_mariadb))

        async with running(settings) as client:
            before = await client.get("/health/db")
            proxies.cut(proxy)
            await wait_for_status(client, "/health", 503)  # once the cached result ages
            health = await client.get("/health")
            database = await client.get("/health/db")

        assert before.status_code == 200
        assert health.status_code == 503
        assert health.json()["status"] == "unhealthy"
        assert health.json()["checks"]["database"] != "connected"
        assert database.status_code == 503
        assert database.json()["status"] != "connected"
        assert_measured(database.json())


async def timed_get(client: AsyncTestClient[Any], path: str) -> tuple[float, Any]:
    started = time.monotonic()
    response = await client.get(path)
    return time.monotonic() - started, response


class TestTimeouts:
    async def test_silent_database_answers_in_time(
        self, make_settings: MakeSettings, silent_port: int
    ) -> None:
        settings = make_settings(database_url=f"mysql+asyncmy://root@127.0.0.1:{silent_port}/x")

        async with running(settings) as client:
            database_took, database = await timed_get(client, "/health/db")
            health_took, health = await timed_get(client, "/health")

        assert database_took < ANSWER_WITHIN
        assert database.status_code == 503
        assert database.json()["status"] == "disconnected"
        assert_measured(database.json())
        assert health_took < ANSWER_WITHIN
        assert health.status_code == 503
        assert health.json()["status"] == "unhealthy"

    async def test_silent_redis_answers_in_time(
        self, make_settings: MakeSettings, silent_port: int
    ) -> None:
        settings = make_settings(redis_url=f"redis://127.0.0.1:{silent_port}/0")

        async with running(settings) as client:
            await wait_for_nats(client)
            redis_took, redis_response = await timed_get(client, "/health/redis")
            health_took, health = await timed_get(client, "/health")

        assert redis_took < ANSWER_WITHIN
        assert redis_response.status_code == 503
        assert_measured(redis_response.json())
        assert health_took < ANSWER_WITHIN
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"

    async def test_silent_nats_answers_in_time(
        self, make_settings: MakeSettings, silent_port: int
    ) -> None:
        settings = make_settings(nats_url=f"nats://127.0.0.1:{silent_port}")

        async with running(settings) as client:
            nats_took, nats_response = await timed_get(client, "/health/nats")
            health_took, health = await timed_get(client, "/health")

        assert nats_took < ANSWER_WITHIN
        assert nats_response.status_code == 503
        assert health_took < ANSWER_WITHIN
        assert health.json()["status"] == "degraded"

    async def test_all_silent_costs_one_timeout_not_three(
        self, make_settings: MakeSettings, silent_port: int
    ) -> None:
        settings = make_settings(
            database_url=f"mysql+asyncmy://root@127.0.0.1:{silent_port}/x",
            redis_url=f"redis://127.0.0.1:{silent_port}/0",
            nats_url=f"nats://127.0.0.1:{silent_port}",
            **services_at(f"http://127.0.0.1:{silent_port}", f"http://127.0.0.1:{silent_port}"),
        )

        async with running(settings) as client:
            took, health = await timed_get(client, "/health")

        assert took < ANSWER_WITHIN
        assert health.status_code == 503
        assert health.json()["checks"] == {
            "database": "disconnected",
            "redis": "disconnected",
            "nats": "disconnected",
            "auth": "down",
            "api": "down",
        }


def assert_services(body: dict[str, Any], status: str) -> None:
    assert set(body["services"]) == {"auth", "api"}
    for service in body["services"].values():
        assert service["status"] == status
        assert_measured(service)


class TestServices:
    async def test_both_up_answers_200_with_latencies(
        self, make_settings: MakeSettings, services_up: dict[str, str]
    ) -> None:
        async with app_client(create_app(make_settings(**services_up))) as client:
            response = await client.get("/health/services")

        assert response.status_code == 200
        assert response.json()["status"] == "up"
        assert_services(response.json(), "up")

    async def test_closed_ports_answer_503_both_down_in_time(
        self, make_settings: MakeSettings
    ) -> None:
        async with app_client(create_app(make_settings(**services_closed()))) as client:
            started = time.monotonic()
            response = await client.get("/health/services")
            took = time.monotonic() - started
            health = await client.get("/health")

        assert took < ANSWER_WITHIN
        assert response.status_code == 503
        assert response.json()["status"] == "down"
        assert_services(response.json(), "down")
        # A service down degrades the platform; only the database makes it unhealthy.
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert health.json()["checks"]["auth"] == "down"
        assert health.json()["checks"]["api"] == "down"

    async def test_a_service_answering_as_another_is_down(
        self, make_settings: MakeSettings, services_up: dict[str, str]
    ) -> None:
        # AUTH_INTERNAL_URL pointing at the api: a misconfiguration, not a healthy auth.
        crossed = services_at(services_up["api_internal_url"], services_up["api_internal_url"])
        async with app_client(create_app(make_settings(**crossed))) as client:
            response = await client.get("/health/services")

        assert response.status_code == 503
        assert response.json()["services"]["auth"]["status"] == "down"
        assert response.json()["services"]["api"]["status"] == "up"
