"""`/health` and one route per dependency, at the site root (not under /api).

Every route reads its checks through the app's `PlatformChecks`, so results are at most about
a second old and a storm of requests costs the dependencies a few checks per second.
"""

import asyncio
from typing import Any, Literal

from litestar import Response, get
from litestar.datastructures import State

from health.cache import PlatformChecks
from health.checks import CheckResult
from shared.db.types import utc_now

VERSION = "1.0.0"
ServiceStatus = Literal["up", "down"]


def _checks(state: State) -> PlatformChecks:
    checks: PlatformChecks = state.health_checks
    return checks


def _service_status(result: CheckResult) -> ServiceStatus:
    return "up" if result.status == "connected" else "down"


def _state_body(result: CheckResult) -> Response[dict[str, Any]]:
    status = 200 if result.up else 503
    return Response({"status": result.status, "latency_ms": result.latency_ms}, status_code=status)


@get("/health")
async def platform_health(state: State) -> Response[dict[str, Any]]:
    """Healthy, degraded (Redis, NATS or a service down: 200) or unhealthy (database down: 503)."""
    checks = _checks(state)
    # Concurrently, so several dead dependencies cost one timeout, not several.
    database, redis_result, nats_result, services = await asyncio.gather(
        checks.database(), checks.redis(), checks.nats(), checks.services()
    )
    services_up = all(_service_status(result) == "up" for result in services.values())
    # A service that cannot trust the revocation stream checks sessions in the database.
    sessions = (
        "database" if any(result.sessions == "database" for result in services.values()) else None
    )
    if database.status != "connected":
        status = "unhealthy"
    elif redis_result.up and nats_result.up and services_up and sessions is None:
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
            **{name: _service_status(result) for name, result in services.items()},
            **({"sessions": sessions} if sessions else {}),
        },
    }
    return Response(body, status_code=503 if status == "unhealthy" else 200)


@get("/health/db")
async def database_health(state: State) -> Response[dict[str, Any]]:
    """The database's state and the latency of `SELECT 1`."""
    return _state_body(await _checks(state).database())


@get("/health/redis")
async def redis_health(state: State) -> Response[dict[str, Any]]:
    """Redis's state and PING latency (`not_configured` with memory stores)."""
    return _state_body(await _checks(state).redis())


@get("/health/nats")
async def nats_health(state: State) -> Response[dict[str, Any]]:
    """NATS's state and round-trip latency."""
    return _state_body(await _checks(state).nats())


@get("/health/services")
async def services_health(state: State) -> Response[dict[str, Any]]:
    """The auth and api services, each on its own internal health route: up or down, latency."""
    results = await _checks(state).services()
    all_up = all(_service_status(result) == "up" for result in results.values())
    body = {
        "status": "up" if all_up else "down",
        "services": {
            name: {"status": _service_status(result), "latency_ms": result.latency_ms}
            for name, result in results.items()
        },
    }
    return Response(body, status_code=200 if all_up else 503)


ROUTES = [platform_health, database_health, redis_health, nats_health, services_health]
