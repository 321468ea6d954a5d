"""Request bodies of the member routes (§3.7 MemberCreate and MemberUpdate, §3.2 lifecycle)."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
from litestar.datastructures import UploadFile
from msgspec import UNSET, Meta, UnsetType

from shared.types import Email, line, name, text

Name = Annotated[str, name(100)]
Text20 = Annotated[str, line(20)]
Text50 = Annotated[str, line(50)]
Text100 = Annotated[str, line(100)]
Text255 = Annotated[str, line(255)]
Reason = Annotated[str, text(1000)]
# No `@`: a username must never look like an email, since sign-in reads `@` as an address.
# No control characters either (see shared.types); `(?!\n)` because `$` passes a final newline.
Username = Annotated[
    str, Meta(min_length=3, max_length=100, pattern=r"^[^\s@\x00-\x1f\x7f-\x9f]+$(?!\n)")
]
RoleIds = Annotated[list[UUID], Meta(max_length=200)]


class EmergencyContact(msgspec.Struct, kw_only=True):
    """Someone to call for the member; data about a third party (leadership-only)."""

    name: Name
    relationship: Annotated[str, line(50, 1)]
    phone: Annotated[str, line(20, 1)]
    email: Text255 | None = None
    is_primary: bool = False


EmergencyContacts = Annotated[list[EmergencyContact], Meta(max_length=20)]


class MemberCreate(msgspec.Struct, kw_only=True):
    """A new member; an absent password means auth mails a temporary one."""

    username: Username
    email: Email
    first_name: Name
    last_name: Name
    middle_name: Text100 | None = None
    membership_number: Text50 | None = None
    phone: Text20 | None = None
    mobile: Text20 | None = None
    date_of_birth: date | None = None
    hire_date: date | None = None
    rank: Text100 | None = None
    station: Text100 | None = None
    platoon: Text20 | None = None
    address_street: Text255 | None = None
    address_city: Text100 | None = None
    address_state: Text50 | None = None
    address_zip: Text20 | None = None
    address_country: Text100 | None = "USA"
    emergency_contacts: EmergencyContacts = []
    password: Annotated[str, Meta(min_length=12, max_length=128)] | None = None
    role_ids: RoleIds = []
    send_welcome_email: bool = True


class MemberUpdate(msgspec.Struct, kw_only=True):
    """`PATCH /profile`: an absent key keeps the value, `null` clears it; others are ignored."""

    first_name: Name | UnsetType = UNSET
    middle_name: Text100 | UnsetType | None = UNSET
    last_name: Name | UnsetType = UNSET
    phone: Text20 | UnsetType | None = UNSET
    mobile: Text20 | UnsetType | None = UNSET
    personal_email: Text255 | UnsetType | None = UNSET
    membership_number: Text50 | UnsetType | None = UNSET
    date_of_birth: date | UnsetType | None = UNSET
    hire_date: date | UnsetType | None = UNSET
    rank: Text100 | UnsetType | None = UNSET
    station: Text100 | UnsetType | None = UNSET
    platoon: Text20 | UnsetType | None = UNSET
    address_street: Text255 | UnsetType | None = UNSET
    address_city: Text100 | UnsetType | None = UNSET
    address_state: Text50 | UnsetType | None = UNSET
    address_zip: Text20 | UnsetType | None = UNSET
    address_country: Text100 | UnsetType | None = UNSET
    emergency_contacts: EmergencyContacts | UnsetType | None = UNSET


class NotificationPreferencesUpdate(msgspec.Struct, kw_only=True):
    """Preferences to merge key by key into the stored ones."""

    email_notifications: bool | UnsetType = UNSET
    sms_notifications: bool | UnsetType = UNSET
    event_reminders: bool | UnsetType = UNSET
    training_reminders: bool | UnsetType = UNSET


class ContactInfoUpdate(msgspec.Struct, kw_only=True):
    """`PATCH /contact-info`: `null` or an absent key keeps the stored value."""

    email: Email | None = None
    phone: Text20 | None = None
    mobile: Text20 | None = None
    notification_preferences: NotificationPreferencesUpdate | None = None


class RolesReplace(msgspec.Struct, kw_only=True):
    """The member's whole new set of roles (`[]` allowed)."""

    role_ids: RoleIds


class StatusChange(msgspec.Struct, kw_only=True):
    """A lifecycle transition; the value is checked against §2.5 to list the valid ones."""

    new_status: Annotated[str, line(50, 1)]
    reason: Reason | None = None
    send_property_return_email: bool = True
    return_deadline_days: Annotated[int, Meta(ge=1, le=90)] = 14
    custom_instructions: Annotated[str, text(5000)] | None = None


class Reactivation(msgspec.Struct, kw_only=True):
    """Why an archived member comes back."""

    reason: Reason | None = None


class MembershipTypeChange(msgspec.Struct, kw_only=True):
    """A move to another membership tier."""

    membership_type: Annotated[str, line(50, 1)]
    reason: Reason | None = None


class ComplianceExemptionChange(msgspec.Struct, kw_only=True):
    """Exempt the member from compliance targets, or end the exemption."""

    exempt: bool
    reason: Reason | None = None


@dataclass
class PhotoUpload:
    """The multipart form of `POST /photo`: one field, `file`."""

    file: UploadFile
