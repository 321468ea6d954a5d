"""Rate limits matched by path: per client IP on the auth endpoints (spec/auth.md §5.4), per
signed-in member on frontend error reports (leaves-waivers spec §4.1)."""

import dataclasses
import hashlib
import math
import re
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import structlog
from cachetools import TLRUCache
from litestar import Request, Response
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from shared.client_ip import client_ip
from shared.errors import AppError, error_response
from shared.principal import bearer_claims
from shared.settings import Settings

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = structlog.get_logger("shared.ratelimit")
TOO_MANY_REQUESTS = 429
REFUSAL_DETAIL = "Too many requests; try again later"
REDIS_RETRY_SECONDS = 10.0  # after a Redis error the memory fallback answers this long
# Clients tracked by the in-process fallback at once; the least recently seen go first beyond.
MEMORY_CLIENTS = 100_000
AUTH = "/api/v1/auth/"
USER = "/api/v1/users/[^/]+/"


@dataclass(frozen=True)
class Bucket:
    """`limit` POSTs per `window` seconds on `paths` (regexes); the fallback locks `lockout` s.

    `per_member` buckets count per member (from the verified bearer token) instead of per
    client IP; a request without a valid token is not counted, since it is refused with a 401.
    """

    name: str
    limit: int
    window: int
    lockout: int
    paths: tuple[str, ...]
    per_member: bool = False
    detail: str = REFUSAL_DETAIL
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", re.compile("|".join(self.paths)))


BUCKETS = (
    Bucket(
        "login",
        5,
        60,
        1800,
        tuple(
            AUTH + p
            for p in ("login", "mfa/login", "mfa/verify-setup", "mfa/disable", "mfa/recovery-codes")
        ),
    ),
    Bucket("register", 3, 60, 1800, (AUTH + "register",)),
    Bucket(
        "password_reset",
        3,
        300,
        1800,
        tuple(AUTH + p for p in ("forgot-password", "validate-reset-token", "reset-password")),
    ),
    Bucket("token_refresh", 10, 60, 600, (AUTH + "refresh",)),
    Bucket("password_change", 5, 60, 1800, (AUTH + "change-password",)),
    Bucket("admin_password_reset", 5, 300, 900, (USER + "reset-password", USER + "reset-mfa")),
    Bucket(
        "error_reports",
        120,
        60,
        60,
        ("/api/v1/errors/log",),
        per_member=True,
        detail="Too many error reports. Please try again later.",
    ),
)

# Atomic sliding window: a sorted set of request times on the Redis clock (ms). Returns 0 when
# the request is admitted and recorded, else the ms until the oldest request leaves the window.
# Refused requests are not recorded, so that wait is the true one.
SLIDING_WINDOW = """
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(tonumber(oldest[2]) + window - now, 1)
"""
SLIDING_WINDOW_SHA = hashlib.sha1(SLIDING_WINDOW.encode(), usedforsecurity=False).hexdigest()


def scaled(buckets: Sequence[Bucket], multiplier: int) -> tuple[Bucket, ...]:
    """The buckets with every request count multiplied (RATE_LIMIT_MULTIPLIER)."""
    return tuple(dataclasses.replace(b, limit=b.limit * multiplier) for b in buckets)


def bucket_for(buckets: Sequence[Bucket], method: str, path: str) -> Bucket | None:
    """The bucket a request counts against; every limited endpoint is a POST."""
    if method != "POST":
        return None
    path = path.rstrip("/")
    return next((b for b in buckets if b.pattern.fullmatch(path)), None)


@dataclass
class _Entry:
    window: int
    hits: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0


def _expires(_key: str, entry: _Entry, now: float) -> float:
    # Forgotten once neither a lock nor a hit in the window is left: a client seen again
    # later starts afresh, and a stream of distinct addresses cannot grow the table for ever.
    return max(entry.locked_until, now + entry.window)


class MemoryLimiter:
    """In-process fallback: a key that exceeds its limit is locked for the bucket's lockout."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: TLRUCache[str, _Entry] = TLRUCache(
            maxsize=MEMORY_CLIENTS, ttu=_expires, timer=clock
        )

    def hit(self, key: str, bucket: Bucket) -> int | None:
        """Count a request: None when admitted, else the seconds until the lock ends."""
        now = self._clock()
        entry = self._entries.get(key) or _Entry(bucket.window)
        if entry.locked_until > now:
            return math.ceil(entry.locked_until - now)
        while entry.hits and entry.hits[0] <= now - bucket.window:
            entry.hits.popleft()
        if len(entry.hits) >= bucket.limit:
            entry.hits.clear()
            entry.locked_until = now + bucket.lockout
            self._entries[key] = entry  # stored again: its expiry moves to the lock's end
            return bucket.lockout
        entry.hits.append(now)
        self._entries[key] = entry  # stored again: its expiry moves to a window from now
        return None


async def redis_hit(client: "Redis", key: str, bucket: Bucket) -> int | None:
    """Count a request in Redis: None when admitted, else the seconds until a slot frees."""
    from redis.exceptions import NoScriptError  # noqa: PLC0415 - loaded with the client (shared.app)

    args = (bucket.limit, bucket.window * 1000, uuid.uuid4().hex)
    try:
        waited = await client.evalsha(SLIDING_WINDOW_SHA, 1, key, *args)
    except NoScriptError:
        waited = await client.eval(SLIDING_WINDOW, 1, key, *args)
    milliseconds = int(waited)
    if milliseconds <= 0:
        return None
    return min(math.ceil(milliseconds / 1000), bucket.window)


def refusal(retry_after: int, detail: str = REFUSAL_DETAIL) -> Response[dict[str, object]]:
    """The 429 envelope; the frontend reads `details.retryAfter` (spec/auth.md §5.4)."""
    response = error_response(
        TOO_MANY_REQUESTS, "LB-API-429", detail, {"Retry-After": str(retry_after)}
    )
    response.content["details"] = {"retryAfter": retry_after}
    return response


class RateLimitMiddleware(ASGIMiddleware):
    """Counts every POST to a §5.4 endpoint per client IP before the handler reads the body."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, settings: Settings, buckets: Sequence[Bucket] | None = None) -> None:
        self.settings = settings
        self.enabled = settings.rate_limit_enabled
        self.trusted_proxies = tuple(settings.trusted_proxy_ips)
        chosen = BUCKETS if buckets is None else buckets
        self.buckets = scaled(chosen, settings.rate_limit_multiplier)
        # Shared by every request of this app: the fallback's counters and Redis's health.
        self.memory = MemoryLimiter()
        self.redis_retry_at = 0.0

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Refuse with 429 when the client's bucket is full, else pass the request on."""
        bucket = None
        if self.enabled and scope["type"] == ScopeType.HTTP:
            bucket = bucket_for(self.buckets, scope["method"], scope["path"])
        if bucket is None:
            await next_app(scope, receive, send)
            return
        request: Request[Any, Any, Any] = Request(scope, receive)
        ip = client_ip(request, self.trusted_proxies)
        key = self.key(request, bucket, ip)
        retry_after = None if key is None else await self.hit(request, key, bucket)
        if retry_after is None:
            await next_app(scope, receive, send)
            return
        log.warning("ratelimit.refused", bucket=bucket.name, ip=ip, retry_after=retry_after)
        response = refusal(retry_after, bucket.detail).to_asgi_response(None, request)
        await response(scope, receive, send)

    def key(self, request: Request[Any, Any, Any], bucket: Bucket, ip: str) -> str | None:
        """Whom the request counts for: its client IP, or its member (None without a token)."""
        if not bucket.per_member:
            return f"auth:{bucket.name}:{ip}"
        try:
            claims = bearer_claims(request, self.settings)
        except AppError:
            return None
        return f"member:{bucket.name}:{claims.user_id}"

    async def hit(self, request: Request[Any, Any, Any], key: str, bucket: Bucket) -> int | None:
        """Redis's sliding window when it answers, else the in-process fallback."""
        client: Redis | None = request.app.state.get("redis")
        if client is not None and time.monotonic() >= self.redis_retry_at:
            from redis.exceptions import RedisError  # noqa: PLC0415 - loaded with the client

            try:
                retry_after = await redis_hit(client, key, bucket)
            except RedisError as exc:
                self.redis_retry_at = time.monotonic() + REDIS_RETRY_SECONDS
                log.warning("ratelimit.redis_unavailable", error=type(exc).__name__)
            else:
                if self.redis_retry_at:
                    self._redis_returned()
                return retry_after
        return self.memory.hit(key, bucket)

    def _redis_returned(self) -> None:
        # The fallback's counts and lockouts stood in for Redis during the outage only: kept,
        # the next blip (even one timeout) would bring back a half-hour lockout from long ago.
        self.memory = MemoryLimiter()
        self.redis_retry_at = 0.0
        log.info("ratelimit.redis_restored")
