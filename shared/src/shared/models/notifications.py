"""Notifications: the organization's rules and every notification sent (app-shell spec §2)."""

import enum
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, IdMixin, TimestampMixin
from shared.db.types import UtcDateTime, str_enum, utc_now


class NotificationChannel(enum.StrEnum):
    """How a notification reaches its recipient; the inbox shows `in_app` only."""

    EMAIL = "email"
    IN_APP = "in_app"


class NotificationTrigger(enum.StrEnum):
    """What a rule reacts to; only the two of addendum §5.3 are enforced."""

    EVENT_REMINDER = "event_reminder"
    TRAINING_EXPIRY = "training_expiry"
    SCHEDULE_CHANGE = "schedule_change"
    NEW_MEMBER = "new_member"
    MEMBER_DROPPED = "member_dropped"
    MAINTENANCE_DUE = "maintenance_due"
    ELECTION_STARTED = "election_started"
    FORM_SUBMITTED = "form_submitted"
    ACTION_ITEM_ASSIGNED = "action_item_assigned"
    MEETING_SCHEDULED = "meeting_scheduled"
    DOCUMENT_UPLOADED = "document_uploaded"


class RuleCategory(enum.StrEnum):
    """A rule's category (a notification's own category is free text)."""

    EVENTS = "events"
    TRAINING = "training"
    SCHEDULING = "scheduling"
    MEMBERS = "members"
    MAINTENANCE = "maintenance"
    GENERAL = "general"


class NotificationRule(IdMixin, TimestampMixin, Base):
    """A switch (and its settings) for one trigger of the organization."""

    __tablename__ = "notification_rules"
    __table_args__ = (Index("ix_notification_rules_org_name", "organization_id", "name"),)

    organization_id: Mapped[UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    trigger: Mapped[NotificationTrigger] = mapped_column(str_enum(NotificationTrigger))
    category: Mapped[RuleCategory] = mapped_column(str_enum(RuleCategory))
    channel: Mapped[NotificationChannel] = mapped_column(str_enum(NotificationChannel))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    config: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by: Mapped[UUID | None] = mapped_column()


class NotificationLog(IdMixin, Base):
    """One notification to one recipient on one channel: an inbox entry when `in_app`."""

    __tablename__ = "notification_logs"
    __table_args__ = (
        # A redelivered or republished event adds no second entry for the same member.
        UniqueConstraint(
            "source_event_id",
            "recipient_id",
            "category",
            "channel",
            name="uq_notification_logs_source",
        ),
        # The unread count every open tab polls is answered from this index alone.
        Index(
            "ix_notification_logs_unread",
            "organization_id",
            "recipient_id",
            "channel",
            "read",
            "expires_at",
        ),
        Index(
            "ix_notification_logs_inbox", "organization_id", "recipient_id", "channel", "sent_at"
        ),
        Index("ix_notification_logs_org_channel_sent", "organization_id", "channel", "sent_at"),
        Index("ix_notification_logs_org_sent", "organization_id", "sent_at"),
    )

    organization_id: Mapped[UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    # Rules and members may go; what was sent stays in the log with the names it had then.
    rule_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("notification_rules.id", ondelete="SET NULL")
    )
    rule_name: Mapped[str | None] = mapped_column(String(255))
    recipient_id: Mapped[UUID | None] = mapped_column()
    recipient_email: Mapped[str | None] = mapped_column(String(255))
    recipient_name: Mapped[str | None] = mapped_column(String(255))
    channel: Mapped[NotificationChannel] = mapped_column(str_enum(NotificationChannel))
    category: Mapped[str | None] = mapped_column(String(50))
    subject: Mapped[str | None] = mapped_column(String(255))
    message: Mapped[str | None] = mapped_column(Text)
    action_url: Mapped[str | None] = mapped_column(String(500))
    extra_data: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSON)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(String(500))
    read: Mapped[bool] = mapped_column(Boolean, default=False)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The domain event that produced the entry, when one did.
    source_event_id: Mapped[UUID | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
