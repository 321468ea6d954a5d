"""Events (spec events.md §2): the calendar, RSVPs that double as attendance, their history."""

import enum
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, IdMixin, TimestampMixin
from shared.db.types import UtcDateTime, str_enum, utc_now


class LowerCaseEnum(enum.StrEnum):
    """An enum read case-insensitively (§1 "Enums in requests"): `GOING` is `going`.

    msgspec and Litestar call `_missing_` for a value that matches no member exactly.
    """

    @classmethod
    def _missing_(cls, value: object) -> "LowerCaseEnum | None":
        if isinstance(value, str):
            lowered = value.lower()
            for member in cls:
                if member.value == lowered:
                    return member
        return None


class EventType(LowerCaseEnum):
    """What kind of event; types the organization hides show under "Other"."""

    BUSINESS_MEETING = "business_meeting"
    PUBLIC_EDUCATION = "public_education"
    TRAINING = "training"
    SOCIAL = "social"
    FUNDRAISER = "fundraiser"
    CEREMONY = "ceremony"
    OTHER = "other"
    RECRUITMENT = "recruitment"


class RSVPStatus(LowerCaseEnum):
    """A member's answer; `waitlisted` is only ever set by the server (§8.2)."""

    GOING = "going"
    NOT_GOING = "not_going"
    MAYBE = "maybe"
    WAITLISTED = "waitlisted"


class CheckInWindowType(LowerCaseEnum):
    """When check-in opens and closes (§5)."""

    FLEXIBLE = "flexible"
    STRICT = "strict"
    WINDOW = "window"


class RecurrencePattern(LowerCaseEnum):
    """How a series repeats (§4.3)."""

    DAILY = "daily"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    MONTHLY_WEEKDAY = "monthly_weekday"
    ANNUALLY = "annually"
    ANNUALLY_WEEKDAY = "annually_weekday"
    CUSTOM = "custom"


class ReminderTarget(LowerCaseEnum):
    """Who the RSVP reminder goes to."""

    GOING = "going"
    ALL = "all"
    NONE = "none"


def _org_column() -> Mapped[UUID]:
    return mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))


class Event(IdMixin, TimestampMixin, Base):
    """One event on the calendar; a series is its first occurrence (the parent) and children."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_org_start", "organization_id", "start_datetime"),
        Index("ix_events_org_end", "organization_id", "end_datetime"),
        # Double-booking checks read the events of one location (§8.10).
        Index("ix_events_org_location", "organization_id", "location_id", "start_datetime"),
        Index("ix_events_org_parent", "organization_id", "recurrence_parent_id"),
    )

    organization_id: Mapped[UUID] = _org_column()
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # Nullable: rows of the original may lack it; a null reads back as `other` (§2).
    event_type: Mapped[EventType | None] = mapped_column(str_enum(EventType))
    custom_category: Mapped[str | None] = mapped_column(String(100))
    location_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("locations.id", ondelete="SET NULL")
    )
    location: Mapped[str | None] = mapped_column(String(300))
    location_details: Mapped[str | None] = mapped_column(Text)
    start_datetime: Mapped[datetime] = mapped_column(UtcDateTime)
    end_datetime: Mapped[datetime] = mapped_column(UtcDateTime)
    actual_start_time: Mapped[datetime | None] = mapped_column(UtcDateTime)
    actual_end_time: Mapped[datetime | None] = mapped_column(UtcDateTime)
    requires_rsvp: Mapped[bool] = mapped_column(Boolean, default=False)
    rsvp_deadline: Mapped[datetime | None] = mapped_column(UtcDateTime)
    max_attendees: Mapped[int | None] = mapped_column(Integer)
    allowed_rsvp_statuses: Mapped[list[str] | None] = mapped_column(JSON)
    is_mandatory: Mapped[bool] = mapped_column(Boolean, default=False)
    mandatory_membership_types: Mapped[list[str] | None] = mapped_column(JSON)
    allow_guests: Mapped[bool] = mapped_column(Boolean, default=False)
    send_reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    reminder_target: Mapped[ReminderTarget] = mapped_column(
        str_enum(ReminderTarget), default=ReminderTarget.GOING
    )
    reminder_schedule: Mapped[list[int] | None] = mapped_column(JSON)
    check_in_window_type: Mapped[CheckInWindowType] = mapped_column(
        str_enum(CheckInWindowType), default=CheckInWindowType.FLEXIBLE
    )
    # Nullable as in the original: §5 gives each window type its own fallback for null.
    check_in_minutes_before: Mapped[int | None] = mapped_column(Integer, default=60)
    check_in_minutes_after: Mapped[int | None] = mapped_column(Integer, default=15)
    require_checkout: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_guest_check_in: Mapped[bool] = mapped_column(Boolean, default=False)
    guest_check_in_creates_prospect: Mapped[bool] = mapped_column(Boolean, default=False)
    # Free form; the server also keeps lifecycle markers here (`reminders_sent`, …).
    custom_fields: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    attachments: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    is_recurring: Mapped[bool] = mapped_column(Boolean, default=False)
    recurrence_pattern: Mapped[RecurrencePattern | None] = mapped_column(
        str_enum(RecurrencePattern)
    )
    recurrence_end_date: Mapped[datetime | None] = mapped_column(UtcDateTime)
    rolling_recurrence: Mapped[bool] = mapped_column(Boolean, default=False)
    recurrence_custom_days: Mapped[list[int] | None] = mapped_column(JSON)
    recurrence_weekday: Mapped[int | None] = mapped_column(Integer)
    recurrence_week_ordinal: Mapped[int | None] = mapped_column(Integer)
    recurrence_month: Mapped[int | None] = mapped_column(Integer)
    recurrence_exceptions: Mapped[list[str] | None] = mapped_column(JSON)
    # Deleting one parent alone leaves its children as standalone events.
    recurrence_parent_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL")
    )
    template_id: Mapped[UUID | None] = mapped_column()  # templates are LATER: no foreign key yet
    is_draft: Mapped[bool] = mapped_column(Boolean, default=False)
    is_cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_by: Mapped[UUID | None] = mapped_column()
    updated_by: Mapped[UUID | None] = mapped_column()


class EventRSVP(IdMixin, TimestampMixin, Base):
    """A member's RSVP to an event, and their attendance record (one row is both, §2)."""

    __tablename__ = "event_rsvps"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_event_rsvps_event_user"),
        # The waitlist queue: the oldest waitlisted answer of an event is promoted first.
        Index("ix_event_rsvps_event_status_responded", "event_id", "status", "responded_at"),
        Index("ix_event_rsvps_org_user", "organization_id", "user_id"),
    )

    organization_id: Mapped[UUID] = _org_column()
    event_id: Mapped[UUID] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[RSVPStatus] = mapped_column(str_enum(RSVPStatus))
    guest_count: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str | None] = mapped_column(String(500))
    dietary_restrictions: Mapped[str | None] = mapped_column(String(500))
    accessibility_needs: Mapped[str | None] = mapped_column(String(500))
    # Set on the first insert only: the waitlist position, which later edits do not reset.
    responded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    checked_in: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    checked_out_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attendance_duration_minutes: Mapped[int | None] = mapped_column(Integer)
    override_check_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    override_check_out_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    override_duration_minutes: Mapped[int | None] = mapped_column(Integer)
    overridden_by: Mapped[UUID | None] = mapped_column()
    overridden_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RSVPHistory(IdMixin, Base):
    """One status change of an RSVP; `changed_by` null means the member themself."""

    __tablename__ = "rsvp_history"
    __table_args__ = (Index("ix_rsvp_history_event_changed", "event_id", "changed_at"),)

    organization_id: Mapped[UUID] = _org_column()
    rsvp_id: Mapped[UUID] = mapped_column(ForeignKey("event_rsvps.id", ondelete="CASCADE"))
    event_id: Mapped[UUID] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    old_status: Mapped[RSVPStatus | None] = mapped_column(str_enum(RSVPStatus))
    new_status: Mapped[RSVPStatus] = mapped_column(str_enum(RSVPStatus))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    changed_by: Mapped[UUID | None] = mapped_column()
