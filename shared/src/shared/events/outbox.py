"""The transactional outbox: services add events to their transaction; the relay publishes them."""

import asyncio
import contextlib
from collections.abc import Callable
from uuid import UUID

import structlog
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from shared.background import BackgroundLoop
from shared.db.types import utc_now
from shared.events.envelope import Envelope, EventData, encode, wrap
from shared.events.nats import NatsConnection
from shared.models.outbox import OutboxMessage
from shared.request_context import current_request_id

log = structlog.get_logger("shared.outbox")
WAKE_KEY = "outbox_wake"
PENDING_KEY = "outbox_pending"
PUBLISH_TIMEOUT_SECONDS = 5.0


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
        self._session.add(
            OutboxMessage(
                id=envelope.id,
                subject=envelope.type,
                payload=encode(envelope),
                request_id=envelope.request_id,
                created_at=envelope.occurred_at,
                attempts=0,
            )
        )
        self._session.info[PENDING_KEY] = True
        return envelope


@event.listens_for(Session, "after_commit")
def _wake_relay(session: Session) -> None:
    # A committed event should leave now, not at the next poll.
    if session.info.pop(PENDING_KEY, False):
        wake: Callable[[], None] | None = session.info.get(WAKE_KEY)
        if wake is not None:
            wake()


class OutboxRelay(BackgroundLoop):
    """Publishes pending outbox rows with `Nats-Msg-Id`, marks them sent, backs off on failure.

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
    ) -> None:
        super().__init__()
        self._sessionmaker = sessionmaker
        self._nats = nats
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._max_backoff = max_backoff_seconds
        self._wake = asyncio.Event()
        sessionmaker.configure(info={WAKE_KEY: self._wake.set})

    async def _run(self) -> None:
        backoff = 0.5
        while True:
            try:
                if not self._nats.connected:
                    raise ConnectionError("NATS is not connected")
                published = await self.publish_pending()
            except Exception as exc:  # noqa: BLE001 - the relay must outlive any failure
                log.warning("outbox.relay_backoff", error=type(exc).__name__, retry_in=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff)
                continue
            backoff = 0.5
            if published < self._batch_size:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_seconds)

    async def publish_pending(self) -> int:
        """Publish one batch in creation order; returns how many rows were sent.

        A failed publish stops the batch; the rows sent before it are still marked (committed),
        then the failure is raised so the loop backs off.
        """
        js = self._nats.jetstream
        sent = 0
        failure: Exception | None = None
        async with self._sessionmaker() as session, session.begin():
            # SKIP LOCKED lets several relays (one per instance) share the table.
            stmt = (
                select(OutboxMessage)
                .where(OutboxMessage.sent_at.is_(None))
                .order_by(OutboxMessage.created_at)
                .limit(self._batch_size)
                .with_for_update(skip_locked=True)
            )
            for row in (await session.scalars(stmt)).all():
                headers = {"Nats-Msg-Id": str(row.id), "X-Request-ID": row.request_id or ""}
                try:
                    await js.publish(
                        row.subject, row.payload, headers=headers, timeout=PUBLISH_TIMEOUT_SECONDS
                    )
                except Exception as exc:  # noqa: BLE001 - recorded on the row, raised below
                    row.attempts += 1
                    row.last_error = type(exc).__name__
                    failure = exc
                    break
                row.sent_at = utc_now()
                sent += 1
        if failure is not None:
            raise failure
        if sent:
            log.debug("outbox.published", count=sent)
        return sent


async def pending_count(session: AsyncSession) -> int:
    """How many events wait to be published."""
    stmt = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    return int((await session.scalar(stmt)) or 0)
