"""Error reports: what members' browsers send when something fails (leaves-waivers spec §4)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, IdMixin
from shared.db.types import UtcDateTime, utc_now


class ErrorLog(IdMixin, Base):
    """One report, scrubbed of tokens and passwords before it is stored; not audited."""

    __tablename__ = "error_logs"
    __table_args__ = (
        # The admin page lists newest first, optionally by type, and counts by type.
        Index("ix_error_logs_org_created", "organization_id", "created_at"),
        Index("ix_error_logs_org_type_created", "organization_id", "error_type", "created_at"),
        Index("ix_error_logs_org_event", "organization_id", "event_id"),
    )

    organization_id: Mapped[UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    # The reporting member; a report outlives the member's row.
    user_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    error_type: Mapped[str] = mapped_column(String(50))
    error_message: Mapped[str] = mapped_column(Text)
    user_message: Mapped[str | None] = mapped_column(String(500))
    troubleshooting_steps: Mapped[list[str]] = mapped_column(JSON)
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    event_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
