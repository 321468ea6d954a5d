"""The transactional outbox: services add events to their transaction; the relay publishes them."""

import asyncio
import contextlib
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from uuid import UUID, uuid4

import structlog
from nats.errors import (
    ConnectionClosedError,
    ConnectionDrainingError,
    ConnectionReconnectingError,
    NoRespondersError,
    OutboundBufferLimitError,
    StaleConnectionError,
)
from nats.js.errors import NoStreamResponseError, ServerError, ServiceUnavailableError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, wait_exponential

from shared.background import BackgroundLoop
from shared.db.on_commit import on_commit
from shared.db.types import utc_now
from shared.events.envelope import Envelope, EventData, encode, wrap
from shared.events.local import LOCAL_KEY, LocalEvents
from shared.events.nats import NatsConnection
from shared.events.repository import ClaimedEvent, OutboxRepository
from shared.metrics import ServiceMetrics
from shared.models.outbox import OutboxMessage
from shared.request_context import current_request_id
from shared.retry import log_retry

log = structlog.get_logger("shared.outbox")
WAKE_KEY = "outbox_wake"
PUBLISH_TIMEOUT_SECONDS = 5.0
MAX_ATTEMPTS = 10
# A claim older than this is abandoned (its relay died) and another relay takes the row over.
# Well under the stream's de-duplication window, so JetStream drops a second copy.
CLAIM_LEASE_SECONDS = 60.0
# Failures that say NATS (or its stream) is unavailable, not that this row is bad: they never
# count towards parking a row, and they end the batch so the relay backs off.
NATS_UNAVAILABLE: tuple[type[BaseException], ...] = (
    TimeoutError,  # nats.errors.TimeoutError too
    OSError,
    NoRespondersError,
    NoStreamResponseError,
    ServiceUnavailableError,
    ServerError,
    ConnectionClosedError,
    ConnectionDrainingError,
    ConnectionReconnectingError,
    OutboundBufferLimitError,
    StaleConnectionError,
)


class Outbox:
    """Adds events to the caller's transaction: they exist exactly when the change commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(
        self, data: EventData, *, organization_id: UUID | None = None, actor_id: UUID | None = None
    ) -> Envelope:
        """Queue one event; the request id of the current request travels with it."""
        envelope = wrap(
            data,
            organization_id=organization_id,
            actor_id=actor_id,
            request_id=current_request_id(),
        )
        payload = encode(envelope)
        self._session.add(
            OutboxMessage(
                id=envelope.id,
                subject=envelope.type,
                payload=payload,
                request_id=envelope.request_id,
                created_at=envelope.occurred_at,
                attempts=0,
            )
        )
        # A committed event should leave now, not at the next poll.
        wake: Callable[[], None] | None = self._session.info.get(WAKE_KEY)
        if wake is not None:
            on_commit(self._session, wake)
        # And this instance's caches hear it as it commits (events/local.py).
        local: LocalEvents | None = self._session.info.get(LOCAL_KEY)
        if local is not None:
            on_commit(self._session, partial(local.deliver, envelope.type, payload))
        return envelope


class OutboxRelay(BackgroundLoop):
    """Publishes pending outbox rows with `Nats-Msg-Id`, marks them sent, backs off on failure.

    Each batch is claimed atomically first, so several relays (one per instance, on MariaDB or
    SQLite) never publish the same row. A row NATS refuses `max_attempts` times while it is
    up is parked (`failed_at`) with one error log line, so it cannot hold up later rows.
    Stopping it loses nothing: unpublished rows stay in the table for the next start.
    """

    task_name = "outbox-relay"

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        nats: NatsConnection,
        *,
        batch_size: int = 100,
        poll_seconds: float = 1.0,
        max_backoff_seconds: float = 5.0,
        max_attempts: int = MAX_ATTEMPTS,
        claim_lease_seconds: float = CLAIM_LEASE_SECONDS,
        metrics: ServiceMetrics | None = None,
    ) -> None:
        super().__init__()
        self._metrics = metrics
        self._sessionmaker = sessionmaker
        self._nats = nats
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._max_backoff = max_backoff_seconds
        self._max_attempts = max_attempts
        self._lease = timedelta(seconds=claim_lease_seconds)
        self._wake = asyncio.Event()
        sessionmaker.configure(info={WAKE_KEY: self._wake.set})

    async def _run(self) -> None:
        # A fresh backoff after every pass that worked: the first wait is short again.
        retrying = AsyncRetrying(
            wait=wait_exponential(multiplier=0.5, max=self._max_backoff),
            before_sleep=log_retry(log.warning, "outbox.relay_backoff"),
        )
        while True:
            claimed: int = await retrying(self._publish_when_connected)
            if claimed < self._batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_seconds)

    async def _publish_when_connected(self) -> int:
        # Cleared before the work, not after: a commit that wakes the relay while it is
        # publishing must cause another pass now, not at the next poll.
        self._wake.clear()
        if not self._nats.connected:
            raise ConnectionError("NATS is not connected")
        return await self.publish_pending()

    async def publish_pending(self) -> int:
        """Claim one batch, publish it in creation order; returns how many rows it claimed.

        A row NATS refuses is recorded and the batch goes on. When NATS itself is unavailable
        the batch stops, what was sent is still marked, and the error is raised so the loop
        backs off; the rest of the claim is released at once.
        """
        token = uuid4().hex
        rows = await self._claim(token)
        if not rows:
            return 0
        sent: list[UUID] = []
        refused: list[tuple[ClaimedEvent, str]] = []  # while NATS was up: counts towards parking
        try:
            js = self._nats.jetstream
            for row in rows:
                headers = {"Nats-Msg-Id": str(row.id), "X-Request-ID": row.request_id or ""}
                try:
                    await js.publish(
                        row.subject, row.payload, headers=headers, timeout=PUBLISH_TIMEOUT_SECONDS
                    )
                except Exception as exc:
                    if isinstance(exc, NATS_UNAVAILABLE) or not self._nats.connected:
                        raise
                    refused.append((row, f"{type(exc).__name__}: {exc}"[:500]))
                else:
                    sent.append(row.id)
                    if self._metrics is not None:
                        self._metrics.event_published(row.subject)
        finally:
            await self._settle(token, rows, sent, refused)
        if sent:
            log.debug("outbox.published", count=len(sent))
        return len(rows)

    async def _claim(self, token: str) -> list[ClaimedEvent]:
        async with self._sessionmaker() as session, session.begin():
            return await OutboxRepository(session).claim(
                token, now=utc_now(), lease=self._lease, limit=self._batch_size
            )

    async def _settle(
        self,
        token: str,
        rows: list[ClaimedEvent],
        sent: list[UUID],
        refused: list[tuple[ClaimedEvent, str]],
    ) -> None:
        """Mark what was sent, count refusals (parking at the limit), release the rest."""
        now = utc_now()
        done = set(sent)
        unsent = [row.id for row in rows if row.id not in done]
        parked: list[tuple[ClaimedEvent, int, str]] = []
        async with self._sessionmaker() as session, session.begin():
            outbox = OutboxRepository(session)
            if sent:
                await outbox.mark_sent(sent, now=now)
            for row, error in refused:
                attempts = row.attempts + 1
                give_up = attempts >= self._max_attempts
                await outbox.record_refusal(
                    row.id, attempts=attempts, error=error, parked_at=now if give_up else None
                )
                if give_up:
                    parked.append((row, attempts, error))
            await outbox.release(unsent, token)
        for row, attempts, error in parked:
            log.error("outbox.parked", event_id=str(row.id), attempts=attempts, error=error)
