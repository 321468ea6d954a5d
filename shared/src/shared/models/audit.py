"""The tamper-evident audit trail: one keyed hash chain per organization (app-shell §3)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base
from shared.db.types import UtcDateTime, utc_now

# SQLite only auto-increments an INTEGER primary key.
AutoId = BigInteger().with_variant(Integer(), "sqlite")


class AuditLog(Base):
    """One append-only entry; `id` orders the chain within its organization."""

    __tablename__ = "audit_logs"
    __table_args__ = (
        Index("ix_audit_logs_org_id", "organization_id", "id"),
        Index("ix_audit_logs_org_timestamp", "organization_id", "timestamp"),
        Index("ix_audit_logs_org_event_type", "organization_id", "event_type"),
        # A member's audit history reads by this, newest first, however long the trail grows.
        Index("ix_audit_logs_org_subject", "organization_id", "subject_user_id", "id"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    organization_id: Mapped[UUID | None] = mapped_column()
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime)
    timestamp_nanos: Mapped[int] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(String(100))
    event_category: Mapped[str] = mapped_column(String(50))
    severity: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[UUID | None] = mapped_column()
    subject_user_id: Mapped[UUID | None] = mapped_column()  # the member the entry is about
    username: Mapped[str | None] = mapped_column(String(255))
    session_id: Mapped[str | None] = mapped_column(String(64))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))
    event_data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    previous_hash: Mapped[str] = mapped_column(String(64))
    current_hash: Mapped[str] = mapped_column(String(64))
    hash_version: Mapped[int] = mapped_column(Integer)  # which fields the hash covers
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class AuditChainHead(Base):
    """The newest entry of an organization's chain; appends lock this row, so chains never fork."""

    __tablename__ = "audit_chain_heads"

    organization_id: Mapped[UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    last_id: Mapped[int | None] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))
