"""The suspicious-address throttle of spec/auth.md §5.4: many failures from one address block it.

Failed sign-ins, rejected MFA challenges and wrong MFA codes count per client address across
all accounts; each failure restarts the window. Reaching the limit blocks the address for a
while. A completed sign-in clears the count but never lifts a block. Redis shares the counts
between instances; without it (or while it fails) each instance counts for itself.
"""

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import structlog

from shared.settings import Settings

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = structlog.get_logger("shared.suspicious_ips")


@dataclass
class _Memory:
    failures: dict[str, tuple[int, float]] = field(default_factory=dict)  # ip -> (count, last)
    blocks: dict[str, float] = field(default_factory=dict)  # ip -> monotonic end

    def forget(self) -> None:
        """Drop what the fallback counted: Redis answers again and holds the truth."""
        if self.failures or self.blocks:
            self.failures.clear()
            self.blocks.clear()
            log.info("suspicious_ips.redis_restored")


_MEMORY = _Memory()  # one per process: the in-process fallback outlives each request


class SuspiciousIps:
    """Counts failures per address and blocks an address that reaches the limit."""

    def __init__(self, client: "Redis | None", settings: Settings) -> None:
        self._redis = client
        # What Redis raises when it fails; nothing to catch without a client, whose library a
        # service on memory stores never loads (shared.app).
        self._unavailable: tuple[type[Exception], ...] = ()
        if client is not None:
            from redis.exceptions import RedisError  # noqa: PLC0415

            self._unavailable = (RedisError,)
        self._enabled = settings.rate_limit_enabled  # part of rate limiting: off together
        self._limit = settings.suspicious_ip_max_failures
        self._window = settings.suspicious_ip_window_seconds
        self._block = settings.suspicious_ip_block_seconds

    async def blocked_for(self, ip: str) -> int:
        """Seconds the address stays blocked, 0 when it is not."""
        if not self._enabled:
            return 0
        if self._redis is not None:
            try:
                ttl = int(await self._redis.ttl(f"auth:blocked:{ip}"))
            except self._unavailable:
                pass
            else:
                # Kept, the fallback's blocks would come back on the next Redis blip.
                _MEMORY.forget()
                return max(ttl, 0)
        remaining = _MEMORY.blocks.get(ip, 0.0) - time.monotonic()
        return math.ceil(remaining) if remaining > 0 else 0

    async def record_failure(self, ip: str) -> bool:
        """Count one failure; True when it blocked the address."""
        if not self._enabled:
            return False
        if self._redis is not None:
            try:
                blocked = await self._record_in_redis(ip)
            except self._unavailable:
                log.warning("suspicious_ips.redis_unavailable")
            else:
                _MEMORY.forget()
                return blocked
        return self._record_in_memory(ip)

    async def _record_in_redis(self, ip: str) -> bool:
        assert self._redis is not None  # noqa: S101 - narrowed by the caller
        key = f"auth:failures:{ip}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, self._window)  # each failure restarts the window
            count, _ = await pipe.execute()
        if int(count) < self._limit:
            return False
        await self._redis.set(f"auth:blocked:{ip}", "1", ex=self._block)
        await self._redis.delete(key)
        return True

    def _record_in_memory(self, ip: str) -> bool:
        now = time.monotonic()
        count, last = _MEMORY.failures.get(ip, (0, now))
        count = count + 1 if now - last < self._window else 1
        if count < self._limit:
            _MEMORY.failures[ip] = (count, now)
            return False
        _MEMORY.failures.pop(ip, None)
        _MEMORY.blocks[ip] = now + self._block
        return True

    async def clear(self, ip: str) -> None:
        """A completed sign-in: forget the failures (an active block stays)."""
        _MEMORY.failures.pop(ip, None)
        if self._redis is not None:
            try:
                await self._redis.delete(f"auth:failures:{ip}")
            except self._unavailable:
                log.warning("suspicious_ips.redis_unavailable")
