"""Member shapes the routes answer with (§3.7); redaction blanks values, never drops keys."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec

from api.roles.schemas import RoleRead  # the full Role of §3.7, embedded in members
from shared.models import MemberStatus


class MemberListItem(msgspec.Struct, kw_only=True):
    """A roster row: no date of birth, address or roles."""

    id: UUID
    organization_id: UUID
    username: str
    email: str | None
    first_name: str | None
    middle_name: str | None
    last_name: str | None
    full_name: str
    membership_number: str | None
    phone: str | None
    mobile: str | None
    photo_url: str | None
    status: MemberStatus
    membership_type: str | None
    compliance_exempt: bool
    hire_date: date | None
    rank: str | None
    station: str | None
    platoon: str | None


class MemberWithRoles(MemberListItem, kw_only=True):
    """The admin page's row: personal data and roles, redacted per §2.4."""

    personal_email: str | None
    date_of_birth: date | None
    address_street: str | None
    address_city: str | None
    address_state: str | None
    address_zip: str | None
    address_country: str | None
    emergency_contacts: list[dict[str, Any]]
    email_verified: bool | None
    mfa_enabled: bool | None
    last_login_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None
    roles: list[RoleRead]
    temporary_password: None = None  # never sent: the temporary password travels only by mail


class MemberProfile(MemberWithRoles, kw_only=True):
    """One member's page, with the notification preferences (null means all on)."""

    notification_preferences: dict[str, bool] | None


class ContactVisibility(msgspec.Struct, kw_only=True):
    """What the roster reveals of contact details (the organization's setting)."""

    enabled: bool
    show_email: bool
    show_phone: bool
    show_mobile: bool


class MemberRolesRead(msgspec.Struct, kw_only=True):
    """A member's roles after `PUT /roles`."""

    user_id: UUID
    username: str
    full_name: str
    roles: list[RoleRead]


class Message(msgspec.Struct, kw_only=True):
    """A confirmation for the frontend to show."""

    message: str


class PhotoRead(msgspec.Struct, kw_only=True):
    """The stored photo as a data URI."""

    message: str
    photo_url: str


class DeletionImpactRead(msgspec.Struct, kw_only=True):
    """What a hard delete would touch; counts come from other modules (0 until they exist)."""

    user_id: UUID
    full_name: str
    status: MemberStatus
    training_records: int = 0
    inventory_items: int = 0
    documents: int = 0
    total_records: int = 0


class AuditHistoryEntry(msgspec.Struct, kw_only=True):
    """One audit entry about the member (integer ids, unlike everything else)."""

    id: int
    timestamp: datetime
    event_type: str
    severity: str
    description: str
    changed_by_username: str | None
    changed_by_user_id: UUID | None
    event_data: dict[str, Any]
