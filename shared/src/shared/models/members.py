"""Members (`users`), roles (`positions`) and who holds which role."""

import enum
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db.base import Base, IdMixin, TimestampMixin
from shared.db.types import UtcDateTime, str_enum, utc_now


class MemberStatus(enum.StrEnum):
    """Lifecycle states; only `active` may sign in or use a session."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    SUSPENDED = "suspended"
    PROBATIONARY = "probationary"
    LEAVE = "leave"
    RETIRED = "retired"
    DROPPED_VOLUNTARY = "dropped_voluntary"
    DROPPED_INVOLUNTARY = "dropped_involuntary"
    ARCHIVED = "archived"


class User(IdMixin, TimestampMixin, Base):
    """A member of one organization, with the credentials the auth service owns."""

    __tablename__ = "users"
    # Lower-cased copies make uniqueness and login case-insensitive on MariaDB and SQLite alike.
    __table_args__ = (
        UniqueConstraint("organization_id", "username_lower", name="uq_users_org_username"),
        UniqueConstraint("organization_id", "email_lower", name="uq_users_org_email"),
    )

    organization_id: Mapped[UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    username: Mapped[str] = mapped_column(String(100))
    username_lower: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(255))
    email_lower: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    rank: Mapped[str | None] = mapped_column(String(100))
    platoon: Mapped[str | None] = mapped_column(String(20))
    membership_type: Mapped[str | None] = mapped_column(String(50), default="active")
    status: Mapped[MemberStatus] = mapped_column(
        str_enum(MemberStatus), default=MemberStatus.ACTIVE
    )
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    mfa_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    mfa_secret: Mapped[str | None] = mapped_column(String(255))
    mfa_last_timestep: Mapped[int | None] = mapped_column(BigInteger)
    failed_login_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    positions: Mapped[list["UserPosition"]] = relationship(back_populates="user", lazy="raise")

    @property
    def is_active(self) -> bool:
        """Only an active, not deleted member may sign in or use a session."""
        return self.status is MemberStatus.ACTIVE and self.deleted_at is None


class Position(IdMixin, TimestampMixin, Base):
    """A role: a named set of permissions (`*`, `<module>.*` or exact names)."""

    __tablename__ = "positions"
    __table_args__ = (UniqueConstraint("organization_id", "slug", name="uq_positions_org_slug"),)

    organization_id: Mapped[UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_system: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    settings: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    holders: Mapped[list["UserPosition"]] = relationship(back_populates="position", lazy="raise")


class UserPosition(Base):
    """A member holding a role."""

    __tablename__ = "user_positions"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    position_id: Mapped[UUID] = mapped_column(
        ForeignKey("positions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    assigned_by: Mapped[UUID | None] = mapped_column()

    user: Mapped[User] = relationship(back_populates="positions", lazy="raise")
    position: Mapped[Position] = relationship(back_populates="holders", lazy="raise")
