"""Dependency checks, each bounded by a timeout so a dead dependency cannot hang them."""

import asyncio
import time
from collections.abc import Awaitable
from typing import Literal

import msgspec
import redis.asyncio as redis
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.session import ping
from shared.events.nats import NatsConnection

CheckStatus = Literal["connected", "disconnected", "error", "not_configured"]


class CheckResult(msgspec.Struct, frozen=True):
    """One dependency's state and how long the check took."""

    status: CheckStatus
    latency_ms: float | None

    @property
    def up(self) -> bool:
        """Connected, or deliberately absent (memory stores instead of Redis)."""
        return self.status in ("connected", "not_configured")


async def _timed(check: Awaitable[object], within: float) -> CheckResult:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(within):
            await check
    except TimeoutError:
        return CheckResult("disconnected", round((time.perf_counter() - started) * 1000, 2))
    except (OSError, ConnectionError, redis.ConnectionError):
        return CheckResult("disconnected", round((time.perf_counter() - started) * 1000, 2))
    except Exception:  # noqa: BLE001 - any other failure is reported, never raised
        return CheckResult("error", round((time.perf_counter() - started) * 1000, 2))
    return CheckResult("connected", round((time.perf_counter() - started) * 1000, 2))


async def check_database(engine: AsyncEngine, within: float) -> CheckResult:
    """`SELECT 1` on the database."""
    return await _timed(ping(engine), within)


async def check_redis(client: redis.Redis | None, within: float) -> CheckResult:
    """`PING` on Redis, or `not_configured` when the services use memory stores."""
    if client is None:
        return CheckResult("not_configured", None)
    return await _timed(client.ping(), within)  # type: ignore[arg-type]


async def check_nats(nats: NatsConnection, within: float) -> CheckResult:
    """A PING/PONG round trip to NATS on the live connection."""
    if not nats.connected or nats.client is None:
        return CheckResult("disconnected", None)
    return await _timed(nats.client.flush(timeout=within), within)
