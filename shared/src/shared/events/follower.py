"""Read a subject of the stream in order, without acknowledgements, and know when it is current.

Each instance follows what it needs to keep in memory (revoked sessions, members to drop from
caches) through an ephemeral consumer of its own. Not nats-py's ordered consumer: after a
server restart it recreates its consumer with a start time and a start sequence at once, which
NATS refuses, and it then stops silently; and with nothing read yet it restarts from the
beginning of the stream. This follower resubscribes itself from the last sequence it read, and
asks NATS every second whether it has read everything (`current`), so that a caller relying on
it can tell when it must not.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import structlog
from litestar import Litestar
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from tenacity import AsyncRetrying, wait_fixed

from shared.db.types import utc_now
from shared.events.local import LocalEvents
from shared.events.nats import NatsConnection
from shared.retry import log_retry

log = structlog.get_logger("shared.follower")
RETRY_SECONDS = 1.0
# How often the follower asks NATS whether it has read everything: the longest a silently lost
# consumer goes unnoticed while the connection itself looks fine.
CHECK_SECONDS = 1.0
# A consumer of an instance that vanished is removed by NATS after this long.
CONSUMER_INACTIVE_SECONDS = 60.0
Subscription = JetStreamContext.PushSubscription


@dataclass(frozen=True)
class Progress:
    """What one check saw: messages read, delivered by NATS, and still waiting in the stream."""

    received: int
    delivered: int
    pending: int


class StreamGapError(Exception):
    """NATS delivered messages this instance never received (connection gone, or dropped)."""


class StreamFollower:
    """Feeds every message on `subject` to `handle`, in stream order, across NATS trouble.

    `replay` is how far back a first subscription starts (None: only new messages).
    `on_current` runs when the follower catches up after being behind or disconnected, since
    something may have been missed meanwhile; `on_discontinuity` when what it missed can no
    longer be read (the stream was recreated or trimmed past its place).
    """

    def __init__(
        self,
        nats: NatsConnection,
        subject: str,
        handle: Callable[[bytes], None],
        *,
        replay: timedelta | None = None,
        on_current: Callable[[], None] | None = None,
        on_discontinuity: Callable[[], None] | None = None,
    ) -> None:
        self._nats = nats
        self.subject = subject
        self._handle = handle
        self._replay = replay
        self._on_current = on_current
        self._on_discontinuity = on_discontinuity
        self._last_seq = 0  # stream sequence of the last message read
        self._received = 0  # consumer sequence of the last message read from this subscription
        self._current_epoch: int | None = None  # NATS epoch in which it was last caught up

    @property
    def current(self) -> bool:
        """Whether everything published on the subject so far has been read."""
        return self._nats.connected and self._current_epoch == self._nats.epoch

    async def run(self) -> None:
        """Follow until cancelled, resubscribing after any trouble."""
        retrying = AsyncRetrying(
            wait=wait_fixed(RETRY_SECONDS),
            before_sleep=log_retry(log.warning, "follower.restart", subject=self.subject),
        )
        while True:  # a subscription whose messages simply end is renewed at once
            await retrying(self._follow)

    async def _follow(self) -> None:
        """One subscription, read and checked until something ends it."""
        self._current_epoch = None
        await self._nats.ready.wait()
        subscription: Subscription | None = None
        reader: asyncio.Task[None] | None = None
        try:
            subscription = await self._subscribe(self._nats.jetstream)
            reader = asyncio.create_task(self._read(subscription))
            seen: Progress | None = None
            while not reader.done():
                seen = await self._check(subscription, seen)
                await asyncio.wait({reader}, timeout=CHECK_SECONDS)
            reader.result()  # what ended the reading
        except Exception:
            self._current_epoch = None
            raise
        finally:
            await _close(reader, subscription)

    async def _subscribe(self, js: JetStreamContext) -> Subscription:
        config = ConsumerConfig(
            ack_policy=AckPolicy.NONE,
            max_deliver=1,
            num_replicas=1,
            mem_storage=True,
            inactive_threshold=CONSUMER_INACTIVE_SECONDS,
        )
        if self._last_seq:
            state = (await js.stream_info(self._nats.stream)).state
            if state.last_seq < self._last_seq or state.first_seq > self._last_seq + 1:
                log.warning("follower.discontinuity", subject=self.subject, last=self._last_seq)
                self._last_seq = 0
                if self._on_discontinuity is not None:
                    self._on_discontinuity()
        if self._last_seq:
            config.deliver_policy = DeliverPolicy.BY_START_SEQUENCE
            config.opt_start_seq = self._last_seq + 1
        elif self._replay is not None:
            config.deliver_policy = DeliverPolicy.BY_START_TIME
            config.opt_start_time = utc_now() - self._replay
        else:
            config.deliver_policy = DeliverPolicy.NEW
        return await js.subscribe(
            self.subject, stream=self._nats.stream, config=config, manual_ack=True
        )

    async def _read(self, subscription: Subscription) -> None:
        self._received = 0
        async for message in subscription.messages:
            sequence = message.metadata.sequence
            if sequence.consumer != self._received + 1:
                # A delivery never reached this instance (sent while the connection was gone,
                # or dropped): resubscribe from the last one read, so nothing is skipped.
                raise StreamGapError(sequence.consumer)
            self._handle(message.data)
            self._last_seq = max(self._last_seq, sequence.stream)
            self._received = sequence.consumer

    async def _check(self, subscription: Subscription, before: Progress | None) -> Progress:
        """Mark the follower current once it has read everything; raise when it cannot.

        Current means: everything NATS had for it at this check, or at the previous one with
        nothing left undelivered then, has been read (reading is in consumer-sequence order with
        no gap, so that is everything up to there). Messages merely on their way (steady
        traffic) keep a current follower current; nothing moving at all between two checks
        while NATS says more was delivered or is waiting means the last deliveries were lost or
        the consumer is stuck, so it resubscribes.
        """
        epoch = self._nats.epoch
        info = await subscription.consumer_info()
        delivered = (info.delivered.consumer_seq or 0) if info.delivered is not None else 0
        now = Progress(self._received, delivered, info.num_pending or 0)
        behind = now.pending > 0 or now.received < now.delivered
        caught_up = not behind or (
            before is not None and before.pending == 0 and now.received >= before.delivered
        )
        if caught_up and self._current_epoch != epoch:
            log.info("follower.current", subject=self.subject, last=self._last_seq)
            if self._on_current is not None:
                self._on_current()
        if caught_up:
            self._current_epoch = epoch
        elif before == now and subscription.pending_msgs == 0:
            raise StreamGapError(delivered)
        return now


async def _close(reader: asyncio.Task[None] | None, subscription: Subscription | None) -> None:
    if reader is not None:
        reader.cancel()
        with contextlib.suppress(BaseException):
            await reader
    if subscription is not None:
        with contextlib.suppress(Exception):
            await subscription.unsubscribe()


class Followers:
    """Followers of several subjects feeding one handler, run as one task until stopped: what
    keeps an instance's cache fresh from the stream (started and stopped by the app's hooks)."""

    def __init__(
        self,
        nats: NatsConnection,
        subjects: Iterable[str],
        handle: Callable[[bytes], None],
        *,
        name: str,
        on_current: Callable[[], None] | None = None,
        local: LocalEvents | None = None,
    ) -> None:
        # `on_current`: as StreamFollower's, run by each follower that catches up after being
        # behind or disconnected (a cache drops what it may have missed meanwhile). `local`:
        # this instance's committed events, handed to `handle` as they commit (events/local.py).
        subjects = tuple(subjects)
        self.followers = [
            StreamFollower(nats, subject, handle, on_current=on_current) for subject in subjects
        ]
        self._subjects = subjects
        self._handle = handle
        self._local = local
        self._name = name
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._local is not None:
            self._local.follow(self._subjects, self._handle)
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def _run(self) -> None:
        await asyncio.gather(*(follower.run() for follower in self.followers))

    async def stop(self) -> None:
        if self._local is not None:
            self._local.forget(self._handle)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class FollowedCache(Protocol):
    """A cache kept fresh by the stream: what the app's hooks below drive."""

    def heard(self, payload: bytes) -> None:
        """Drop what an event (an envelope's bytes) may have changed."""

    def clear(self) -> None:
        """Drop everything: a follower caught up after a gap, and what it missed is unknown."""

    async def close(self) -> None:
        """Cancel the loads in flight."""


def cache_followers(
    nats: NatsConnection,
    subjects: Iterable[str],
    cache: FollowedCache,
    *,
    name: str,
    local: LocalEvents | None = None,
) -> Followers:
    """The followers keeping `cache` fresh: each event of `subjects` from any instance, and
    with `local` this instance's own as they commit, goes to `cache.heard`; each follower that
    catches up after a gap clears it."""
    return Followers(nats, subjects, cache.heard, name=name, on_current=cache.clear, local=local)


def followed_cache_hooks(
    key: str, subjects: Iterable[str], make: Callable[[], FollowedCache], *, name: str
) -> tuple[Callable[[Litestar], None], Callable[[Litestar], Awaitable[None]]]:
    """An app's `on_startup` and `on_shutdown` hooks for a cache kept fresh by the stream: the
    cache is `app.state[key]`, fed by its followers from the start (this instance's committed
    events included) until the app stops."""
    subjects = tuple(subjects)

    def start(app: Litestar) -> None:
        cache = make()
        followers = cache_followers(
            app.state.nats, subjects, cache, name=name, local=app.state.local_events
        )
        followers.start()
        app.state[key] = cache
        app.state[f"{key}_followers"] = followers

    async def stop(app: Litestar) -> None:
        followers: Followers | None = app.state.get(f"{key}_followers")
        if followers is not None:
            await followers.stop()
            await app.state[key].close()

    return start, stop
