"""`/health` and one route per dependency, at the site root (not under /api)."""

import asyncio
from typing import Any

from litestar import Response, get
from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncEngine

from health.checks import CheckResult, check_database, check_nats, check_redis
from shared.db.types import utc_now

VERSION = "1.0.0"


def _engine(state: State) -> AsyncEngine:
    # An app built around a given sessionmaker opens no engine of its own: use the sessionmaker's.
    engine: AsyncEngine = state.engine or state.sessionmaker.kw["bind"]
    return engine


def _state_body(result: CheckResult) -> Response[dict[str, Any]]:
    status = 200 if result.up else 503
    return Response({"status": result.status, "latency_ms": result.latency_ms}, status_code=status)


@get("/health")
async def platform_health(state: State) -> Response[dict[str, Any]]:
    """Healthy, degraded (Redis or NATS down: 200) or unhealthy (database down: 503)."""
    timeout = state.settings.health_check_timeout
    # Concurrently, so three dead dependencies cost one timeout, not three.
    database, redis_result, nats_result = await asyncio.gather(
        check_database(_engine(state), timeout),
        check_redis(state.redis, timeout),
        check_nats(state.nats, timeout),
    )
    if database.status != "connected":
        status = "unhealthy"
    elif redis_result.up and nats_result.up:
        status = "healthy"
    else:
        status = "degraded"
    body = {
        "status": status,
        "ready": True,
        "timestamp": utc_now(),
        "version": VERSION,
        "checks": {
            "database": database.status,
            "redis": redis_result.status,
            "nats": nats_result.status,
        },
    }
    return Response(body, status_code=503 if status == "unhealthy" else 200)


@get("/health/db")
async def database_health(state: State) -> Response[dict[str, Any]]:
    """The database's state and the latency of `SELECT 1`."""
    return _state_body(await check_database(_engine(state), state.settings.health_check_timeout))


@get("/health/redis")
async def redis_health(state: State) -> Response[dict[str, Any]]:
    """Redis's state and PING latency (`not_configured` with memory stores)."""
    return _state_body(await check_redis(state.redis, state.settings.health_check_timeout))


@get("/health/nats")
async def nats_health(state: State) -> Response[dict[str, Any]]:
    """NATS's state and round-trip latency."""
    return _state_body(await check_nats(state.nats, state.settings.health_check_timeout))


ROUTES = [platform_health, database_health, redis_health, nats_health]
