"""Events waiting to reach NATS, and events a consumer has already handled."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.dialects.mysql import MEDIUMBLOB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base
from shared.db.types import UtcDateTime, utc_now


class OutboxMessage(Base):
    """One event written in the transaction of the change it describes; the relay publishes it.

    A relay claims a row (`claimed_by`, `claimed_at`) before publishing it, so each row is
    published by one relay; a claim older than the relay's lease is abandoned and taken over.
    A row that NATS refused `attempts` times while connected is parked (`failed_at`): it no
    longer holds up later rows, and an operator can retry it by clearing `failed_at`.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "sent_at", "created_at"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)  # the event id, also Nats-Msg-Id
    subject: Mapped[str] = mapped_column(String(200))
    # The encoded envelope; MEDIUMBLOB because MySQL's BLOB stops at 64 KB.
    payload: Mapped[bytes] = mapped_column(LargeBinary().with_variant(MEDIUMBLOB(), "mysql"))
    request_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ProcessedEvent(Base):
    """An event id a durable consumer has handled, so a redelivery changes nothing."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("consumer", "event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consumer: Mapped[str] = mapped_column(String(100))
    event_id: Mapped[UUID] = mapped_column()
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
