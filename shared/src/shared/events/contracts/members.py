"""Member events the api service publishes (spec/members-roles-organization.md §6)."""

from datetime import datetime
from typing import ClassVar

from shared.events.envelope import EventData


class MemberStatusChanged(EventData, frozen=True, kw_only=True):
    """A member's status changed; any status but `active` ends their sessions."""

    subject: ClassVar[str] = "logbook.api.member.status_changed"
    user_id: str
    previous_status: str
    new_status: str
    reason: str | None = None
    changed_at: datetime | None = None
    return_deadline_days: int | None = None


class MemberDeleted(EventData, frozen=True, kw_only=True):
    """A member was deleted; their sessions end."""

    subject: ClassVar[str] = "logbook.api.member.deleted"
    user_id: str
    hard: bool = False
