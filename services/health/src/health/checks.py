"""Dependency checks, each bounded by a timeout so a dead dependency cannot hang them."""

import asyncio
import math
import time
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Literal

import httpx
import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.session import ping
from shared.events.nats import NatsConnection

if TYPE_CHECKING:
    from redis.asyncio import Redis

CheckStatus = Literal["connected", "disconnected", "error", "not_configured"]
HTTP_OK = 200


class ServiceUnhealthyError(Exception):
    """A service answered its internal health route, but not as itself and `ok`."""


class CheckResult(msgspec.Struct, frozen=True):
    """One dependency's state and how long the check took."""

    status: CheckStatus
    latency_ms: float
    # For a service: how it checks sessions ("stream", or "database" while NATS is not current).
    sessions: str | None = None

    @property
    def up(self) -> bool:
        """Connected, or deliberately absent (memory stores instead of Redis)."""
        return self.status in ("connected", "not_configured")


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


async def _timed(
    check: Awaitable[object], within: float, unreachable: tuple[type[Exception], ...] = ()
) -> CheckResult:
    """The check's result; `unreachable` are the errors of its client that mean disconnected."""
    # OSError also covers refused connections and the builtin and NATS timeouts.
    disconnected: tuple[type[Exception], ...] = (OSError, httpx.TransportError, *unreachable)
    started = time.perf_counter()
    try:
        async with asyncio.timeout(within):
            answer = await check
    except disconnected:
        return CheckResult("disconnected", _elapsed_ms(started))
    except Exception:  # noqa: BLE001 - any other failure is reported, never raised
        return CheckResult("error", _elapsed_ms(started))
    sessions = answer.get("sessions") if isinstance(answer, dict) else None
    return CheckResult("connected", _elapsed_ms(started), sessions=sessions)


async def check_database(engine: AsyncEngine, within: float) -> CheckResult:
    """`SELECT 1` on the database."""
    return await _timed(ping(engine), within)


async def check_redis(client: "Redis | None", within: float) -> CheckResult:
    """`PING` on Redis, or `not_configured` when the services use memory stores."""
    if client is None:
        return CheckResult("not_configured", 0.0)
    # Loaded with the client (shared.app); a platform on memory stores never imports it.
    from redis.exceptions import ConnectionError as Refused  # noqa: PLC0415
    from redis.exceptions import TimeoutError as TimedOut  # noqa: PLC0415

    return await _timed(client.ping(), within, unreachable=(Refused, TimedOut))


async def check_nats(nats: NatsConnection, within: float) -> CheckResult:
    """A PING/PONG round trip to NATS on the live connection."""
    client = nats.client
    if client is None or not nats.connected:
        # Still connecting, or reconnecting after the server went away.
        return CheckResult("disconnected", 0.0)
    # `rtt`, not `flush`: flush reports success without a round trip when the client's
    # read loop has died.
    return await _timed(client.rtt(timeout=max(1, math.ceil(within))), within)


async def _internal_health(
    client: httpx.AsyncClient, name: str, base_url: str
) -> dict[str, object]:
    response = await client.get(f"{base_url.rstrip('/')}/internal/health")
    body = response.json() if response.status_code == HTTP_OK else None
    if not isinstance(body, dict) or body.get("status") != "ok" or body.get("service") != name:
        raise ServiceUnhealthyError(name)
    return body


async def check_service(
    client: httpx.AsyncClient, name: str, base_url: str, within: float
) -> CheckResult:
    """`GET /internal/health` on one of the platform's services, which must answer as `name`."""
    return await _timed(_internal_health(client, name, base_url), within)
