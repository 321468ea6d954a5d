"""The SQL of the outbox (relay claims, backlog metrics) and of the consumers' handled events."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast
from uuid import UUID

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.integrity import guarded
from shared.models.outbox import OutboxMessage, ProcessedEvent

_CLAIMED_COLUMNS = (
    OutboxMessage.created_at,
    OutboxMessage.id,
    OutboxMessage.subject,
    OutboxMessage.payload,
    OutboxMessage.request_id,
    OutboxMessage.attempts,
)


@dataclass(frozen=True)
class ClaimedEvent:
    """A row a relay holds the claim of, read before publishing."""

    id: UUID
    subject: str
    payload: bytes
    request_id: str | None
    attempts: int


class OutboxRepository:
    """Claims of pending outbox rows and what became of them; each call is one statement set."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(
        self, token: str, *, now: datetime, lease: timedelta, limit: int
    ) -> list[ClaimedEvent]:
        """Claim up to `limit` of the oldest claimable rows for `token`, in creation order."""
        claimable = _claimable(now, lease)
        oldest = (
            select(OutboxMessage.id)
            .where(claimable)
            .order_by(OutboxMessage.created_at)
            .limit(limit)
        )
        claim = (
            update(OutboxMessage)
            .values(claimed_by=token, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        session = self._session
        if session.get_bind().dialect.name == "sqlite":
            # One statement: SQLite runs writers one at a time, so two relays cannot both
            # see a row as claimable (a SELECT first could read a snapshot gone stale).
            stmt = claim.where(OutboxMessage.id.in_(oldest)).returning(*_CLAIMED_COLUMNS)
            claimed = (await session.execute(stmt)).all()
        else:
            # MariaDB has no UPDATE ... RETURNING and no LIMIT subquery on the same table.
            # SKIP LOCKED lets relays pick different rows; the UPDATE re-checks the claim.
            ids = list((await session.scalars(oldest.with_for_update(skip_locked=True))).all())
            if not ids:
                return []
            await session.execute(claim.where(OutboxMessage.id.in_(ids), claimable))
            mine = select(*_CLAIMED_COLUMNS).where(
                OutboxMessage.id.in_(ids), OutboxMessage.claimed_by == token
            )
            claimed = (await session.execute(mine)).all()
        return [ClaimedEvent(*row[1:]) for row in sorted(claimed, key=lambda row: row[0])]

    async def mark_sent(self, ids: list[UUID], *, now: datetime) -> None:
        """Record rows as published."""
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(sent_at=now)
            .execution_options(synchronize_session=False)
        )

    async def record_refusal(
        self, event_id: UUID, *, attempts: int, error: str, parked_at: datetime | None
    ) -> None:
        """Count one refusal by NATS; `parked_at` parks the row for an operator."""
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == event_id)
            .values(attempts=attempts, last_error=error, failed_at=parked_at)
            .execution_options(synchronize_session=False)
        )

    async def backlog(self) -> tuple[int, datetime | None]:
        """How many rows wait (parked ones excluded), and when the oldest of them was written."""
        stmt = select(func.count(), func.min(OutboxMessage.created_at)).where(
            OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None)
        )
        row = (await self._session.execute(stmt)).one()
        # MIN over no rows is NULL, whatever the column's type says.
        return int(row[0]), cast("datetime | None", row[1])

    async def release(self, ids: list[UUID], token: str) -> None:
        """Give back what `token` claimed and did not publish."""
        # By primary key: InnoDB locks only these rows, not every row a scan passes.
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.claimed_by == token)
            .values(claimed_by=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        )


def _claimable(now: datetime, lease: timedelta) -> ColumnElement[bool]:
    """Pending, not parked, and unclaimed or claimed longer ago than the lease."""
    return and_(
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.failed_at.is_(None),
        or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - lease),
    )


class ProcessedEventRepository:
    """The event ids each durable consumer has handled."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def seen(self, consumer: str, event_id: UUID) -> bool:
        """Whether `consumer` has already handled the event."""
        found = await self._session.scalar(
            select(ProcessedEvent.id).where(
                ProcessedEvent.consumer == consumer, ProcessedEvent.event_id == event_id
            )
        )
        return found is not None

    async def record(self, consumer: str, event_id: UUID) -> None:
        """Mark the event handled; `ClashError` when another instance recorded it first."""
        # No savepoint: the caller rolls the whole transaction back on a clash.
        async with guarded(self._session, savepoint=False):
            self._session.add(ProcessedEvent(consumer=consumer, event_id=event_id))
