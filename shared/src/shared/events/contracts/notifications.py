"""Notification events the api publishes: whose inbox changed, so every instance's cached unread
counts of those members are dropped (shared.session_liveness follows them)."""

from typing import ClassVar, Literal
from uuid import UUID

from shared.events.envelope import EventData


class InboxesChanged(EventData, frozen=True, kw_only=True):
    """Entries were added to, or marked read in, these members' inboxes."""

    subject: ClassVar[str] = "logbook.api.notification.inboxes_changed"
    user_ids: list[UUID]
    change: Literal["added", "read"]
