"""Member events the api service publishes (spec/members-roles-organization.md §6).

None carries a password: a new member's temporary password only ever travels in the welcome
mail auth sends.
"""

from datetime import date, datetime
from typing import ClassVar

import msgspec

from shared.events.envelope import EventData


class MemberCreated(EventData, frozen=True, kw_only=True):
    """A member was added; auth sends the welcome mail when asked to."""

    subject: ClassVar[str] = "logbook.api.member.created"
    user_id: str
    username: str
    email: str
    first_name: str
    last_name: str
    membership_number: str | None = None
    rank: str | None = None
    station: str | None = None
    platoon: str | None = None
    status: str = "active"
    membership_type: str | None = None
    role_ids: list[str] = msgspec.field(default_factory=list)
    must_change_password: bool = True
    send_welcome_email: bool = True


class MemberUpdated(EventData, frozen=True, kw_only=True):
    """A member's profile, contact details or photo changed; carries the operational values."""

    subject: ClassVar[str] = "logbook.api.member.updated"
    user_id: str
    changed_fields: list[str] = msgspec.field(default_factory=list)
    is_self_update: bool = False
    rank: str | None = None
    station: str | None = None
    platoon: str | None = None
    membership_number: str | None = None
    hire_date: date | None = None
    email: str | None = None


class MemberStatusChanged(EventData, frozen=True, kw_only=True):
    """A member's status changed; any status but `active` ends their sessions."""

    subject: ClassVar[str] = "logbook.api.member.status_changed"
    user_id: str
    previous_status: str
    new_status: str
    reason: str | None = None
    changed_at: datetime | None = None
    return_deadline_days: int | None = None


class MemberMembershipTypeChanged(EventData, frozen=True, kw_only=True):
    """A member moved to another membership tier."""

    subject: ClassVar[str] = "logbook.api.member.membership_type_changed"
    user_id: str
    previous_type: str | None = None
    new_type: str
    reason: str | None = None


class MemberComplianceExemptionChanged(EventData, frozen=True, kw_only=True):
    """A member became exempt from compliance targets, or stopped being exempt."""

    subject: ClassVar[str] = "logbook.api.member.compliance_exemption_changed"
    user_id: str
    exempt: bool
    reason: str | None = None


class MemberDeleted(EventData, frozen=True, kw_only=True):
    """A member was deleted; their sessions end."""

    subject: ClassVar[str] = "logbook.api.member.deleted"
    user_id: str
    hard: bool = False


class MemberRolesChanged(EventData, frozen=True, kw_only=True):
    """A member's set of roles changed; permission caches of the member are stale."""

    subject: ClassVar[str] = "logbook.api.member.roles_changed"
    user_id: str
    role_ids_added: list[str] = msgspec.field(default_factory=list)
    role_ids_removed: list[str] = msgspec.field(default_factory=list)
    role_ids: list[str] = msgspec.field(default_factory=list)
