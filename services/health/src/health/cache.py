"""Check results kept about a second, so a scrape storm costs the dependencies a few checks."""

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any

import httpx
from litestar import Litestar
from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncEngine

from health.checks import CheckResult, check_database, check_nats, check_redis, check_service
from shared.cache import LoadingCache
from shared.internal_calls import internal_urls
from shared.settings import Settings

CACHE_SECONDS = 1.0
MAX_CHECKS = 16  # database, redis, nats and each service: a handful of names
Check = Callable[[], Coroutine[Any, Any, CheckResult]]


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


class CheckCache:
    """The latest result of each named check, fresh for `ttl` seconds, one check at a time.

    Callers that find no fresh result await the check in flight for that name (single flight).
    `runs` counts the checks actually started, per name.
    """

    def __init__(self, ttl: float = CACHE_SECONDS) -> None:
        self.runs: Counter[str] = Counter()
        self._results: LoadingCache[str, CheckResult] = LoadingCache(ttl=ttl, maxsize=MAX_CHECKS)

    async def get(self, name: str, check: Check, within: float) -> CheckResult:
        """The fresh result, or the one in-flight check's, waiting at most `within` seconds."""
        started = time.perf_counter()
        try:
            async with asyncio.timeout(within):
                return await self._results.get(name, partial(self._run, name, check))
        except TimeoutError:
            # The checks bound themselves; this only guards callers against one that does not.
            return CheckResult("disconnected", _elapsed_ms(started))

    async def _run(self, name: str, check: Check) -> CheckResult:
        self.runs[name] += 1
        return await check()

    async def close(self) -> None:
        """Cancel the checks still in flight."""
        await self._results.close()


class PlatformChecks:
    """Every check of one health app, through one cache and one HTTP client."""

    def __init__(self, state: State, cache: CheckCache | None = None) -> None:
        settings: Settings = state.settings
        self.timeout = settings.health_check_timeout
        self.cache = cache or CheckCache()
        # An app built around a given sessionmaker opens no engine of its own: use its bind.
        self._engine: AsyncEngine = state.engine or state.sessionmaker.kw["bind"]
        self._redis = state.redis
        self._nats = state.nats
        self._services = internal_urls(settings)
        # trust_env=False: a proxy from the environment must not sit between the services.
        self._http = httpx.AsyncClient(timeout=self.timeout, trust_env=False)

    async def _cached(self, name: str, check: Check) -> CheckResult:
        return await self.cache.get(name, check, self.timeout)

    async def database(self) -> CheckResult:
        """`SELECT 1` on the database."""
        return await self._cached("database", partial(check_database, self._engine, self.timeout))

    async def redis(self) -> CheckResult:
        """`PING` on Redis (`not_configured` with memory stores)."""
        return await self._cached("redis", partial(check_redis, self._redis, self.timeout))

    async def nats(self) -> CheckResult:
        """A round trip to NATS."""
        return await self._cached("nats", partial(check_nats, self._nats, self.timeout))

    async def services(self) -> dict[str, CheckResult]:
        """Each service's own `/internal/health`, concurrently."""
        names = list(self._services)
        results = await asyncio.gather(
            *(
                self._cached(
                    name,
                    partial(check_service, self._http, name, self._services[name], self.timeout),
                )
                for name in names
            )
        )
        return dict(zip(names, results, strict=True))

    async def close(self) -> None:
        """Stop the checks in flight and close the HTTP client."""
        await self.cache.close()
        await self._http.aclose()


async def open_checks(app: Litestar) -> None:
    """Startup hook: the app's checks, once the shared lifespan has opened its connections."""
    app.state.health_checks = PlatformChecks(app.state)


async def close_checks(app: Litestar) -> None:
    """Shutdown hook; startup may have failed before the checks existed."""
    checks: PlatformChecks | None = app.state.get("health_checks")
    if checks is not None:
        await checks.close()
