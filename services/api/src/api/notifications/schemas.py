"""Bodies of the notification routes (app-shell spec §2.1-§2.3, addendum §5)."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from shared.models import NotificationChannel
from shared.models.notifications import NotificationTrigger, RuleCategory
from shared.types import name, text

RuleName = Annotated[str, name(255)]
Description = Annotated[str, text(2000)]


class NotificationLogRead(msgspec.Struct):
    """One notification as the inbox and the send log show it."""

    id: UUID
    organization_id: UUID
    rule_id: UUID | None
    rule_name: str | None
    recipient_id: UUID | None
    recipient_email: str | None
    recipient_name: str | None
    channel: NotificationChannel
    category: str | None
    subject: str | None
    message: str | None
    action_url: str | None
    sent_at: datetime
    delivered: bool
    read: bool
    pinned: bool
    read_at: datetime | None
    expires_at: datetime | None
    created_at: datetime
    error: str | None
    extra_data: dict[str, Any] | None = msgspec.field(name="metadata")


class NotificationPage(msgspec.Struct):
    """A page of notifications, with the total the filters match."""

    logs: list[NotificationLogRead]
    total: int
    skip: int
    limit: int


class UnreadCount(msgspec.Struct):
    """What the badge shows."""

    unread_count: int


class MarkedRead(msgspec.Struct):
    """How many notifications a read-all marked."""

    marked_read: int


class RuleCreate(msgspec.Struct):
    """A new rule; the enums are validated as sent (lower case)."""

    name: RuleName
    trigger: NotificationTrigger
    description: Description | None = None
    category: RuleCategory = RuleCategory.GENERAL
    channel: NotificationChannel = NotificationChannel.IN_APP
    enabled: bool = True
    config: dict[str, Any] | None = None


class RuleUpdate(msgspec.Struct):
    """A partial rule edit: absent and null fields both stay as they are (addendum §5.1)."""

    name: RuleName | UnsetType | None = UNSET
    description: Description | UnsetType | None = UNSET
    trigger: NotificationTrigger | UnsetType | None = UNSET
    category: RuleCategory | UnsetType | None = UNSET
    channel: NotificationChannel | UnsetType | None = UNSET
    enabled: bool | UnsetType | None = UNSET
    config: dict[str, Any] | UnsetType | None = UNSET


class RuleRead(msgspec.Struct):
    """A rule; `enforced` says whether anything sends on its trigger yet."""

    id: UUID
    organization_id: UUID
    name: str
    description: str | None
    trigger: NotificationTrigger
    category: RuleCategory
    channel: NotificationChannel
    enabled: bool
    config: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    enforced: bool = False  # set from the trigger, not read from the row


class RuleList(msgspec.Struct):
    """The organization's rules by name."""

    rules: list[RuleRead]
    total: int


class NotificationSummary(msgspec.Struct):
    """The figures of the /notifications page header; the month starts on the 1st, 00:00 UTC."""

    total_rules: int
    active_rules: int
    emails_sent_this_month: int
    notifications_sent_this_month: int


class PushConfig(msgspec.Struct):
    """Browser push is not offered: the account page shows "push unavailable"."""

    enabled: bool
    public_key: str | None
