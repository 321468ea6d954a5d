"""Members (`users`), roles (`positions`) and who holds which role."""

import enum
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from shared.db.base import Base, IdMixin, TimestampMixin
from shared.db.encrypted import EncryptedDate, EncryptedJson, EncryptedText
from shared.db.types import LongText, UtcDateTime, str_enum, utc_now


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
        # Set only while the member is not deleted, so a soft delete frees the number (§4 #8).
        UniqueConstraint(
            "organization_id", "membership_number_key", name="uq_users_org_membership_number"
        ),
    )

    organization_id: Mapped[UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    username: Mapped[str] = mapped_column(String(100))
    username_lower: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(255))
    email_lower: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str | None] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    membership_number: Mapped[str | None] = mapped_column(String(50))
    membership_number_key: Mapped[str | None] = mapped_column(String(50))
    previous_membership_number: Mapped[str | None] = mapped_column(String(50))
    photo_url: Mapped[str | None] = mapped_column(LongText)
    hire_date: Mapped[date | None] = mapped_column(Date)
    rank: Mapped[str | None] = mapped_column(String(100))
    station: Mapped[str | None] = mapped_column(String(100))
    platoon: Mapped[str | None] = mapped_column(String(20))
    # Personal data sealed at rest (spec §2.3 ★).
    personal_email: Mapped[str | None] = mapped_column(EncryptedText)
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    mobile: Mapped[str | None] = mapped_column(EncryptedText)
    date_of_birth: Mapped[date | None] = mapped_column(EncryptedDate)
    address_street: Mapped[str | None] = mapped_column(EncryptedText)
    address_city: Mapped[str | None] = mapped_column(EncryptedText)
    address_state: Mapped[str | None] = mapped_column(EncryptedText)
    address_zip: Mapped[str | None] = mapped_column(EncryptedText)
    address_country: Mapped[str | None] = mapped_column(EncryptedText)
    emergency_contacts: Mapped[list[dict[str, Any]] | None] = mapped_column(EncryptedJson)
    notification_preferences: Mapped[dict[str, bool] | None] = mapped_column(JSON)
    membership_type: Mapped[str | None] = mapped_column(String(50), default="active")
    membership_type_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status: Mapped[MemberStatus] = mapped_column(
        str_enum(MemberStatus), default=MemberStatus.ACTIVE
    )
    status_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status_change_reason: Mapped[str | None] = mapped_column(Text)
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    compliance_exempt: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    anonymized_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

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

    @property
    def full_name(self) -> str:
        """The non-empty name parts joined by a space."""
        parts = (self.first_name, self.middle_name, self.last_name)
        return " ".join(part for part in parts if part)


@event.listens_for(User, "before_insert")
@event.listens_for(User, "before_update")
def _keep_lookup_keys(mapper: Mapper[User], connection: Connection, user: User) -> None:  # noqa: ARG001
    # Case-insensitive uniqueness on every database: the keys are lower-cased copies.
    user.username_lower = user.username.lower()
    user.email_lower = user.email.lower()
    number = user.membership_number
    user.membership_number_key = number.lower() if number and user.deleted_at is None else None


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
