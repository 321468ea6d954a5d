"""Who sees what of another member (§2.4): values are blanked, keys are never dropped."""

import enum
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

import msgspec

from api.members.schemas import ContactVisibility, MemberWithRoles
from shared.permissions import grants
from shared.principal import Principal

M = TypeVar("M", bound=MemberWithRoles)
VISIBILITY_DEFAULTS = {
    "enabled": False,
    "show_email": True,
    "show_phone": True,
    "show_mobile": True,
}
# Personal data only leadership sees: blanked for everyone below `members.manage`.
_PERSONAL = {
    "personal_email": None,
    "date_of_birth": None,
    "address_street": None,
    "address_city": None,
    "address_state": None,
    "address_zip": None,
    "address_country": None,
}
# Account facts a profile-only viewer (`members.view`) does not see.
_ACCOUNT = {
    "email_verified": None,
    "mfa_enabled": None,
    "last_login_at": None,
    "created_at": None,
    "updated_at": None,
}


class Access(enum.Enum):
    """How much of another member's record a caller sees."""

    FULL = "full"  # the member themself, or `members.manage`
    DIRECTORY = "directory"  # `users.view`
    PROFILE = "profile"  # `members.view` only


@dataclass(frozen=True)
class Visibility:
    """The organization's `contact_info_visibility` setting."""

    enabled: bool
    show_email: bool
    show_phone: bool
    show_mobile: bool

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> "Visibility":
        """Read the setting, with the spec's defaults for missing keys."""
        stored = settings.get("contact_info_visibility")
        values = {**VISIBILITY_DEFAULTS, **(stored if isinstance(stored, dict) else {})}
        return cls(**{key: bool(values[key]) for key in VISIBILITY_DEFAULTS})

    @property
    def email(self) -> bool:
        """Whether the roster shows email addresses."""
        return self.enabled and self.show_email

    @property
    def phone(self) -> bool:
        """Whether the roster shows phone numbers."""
        return self.enabled and self.show_phone

    @property
    def mobile(self) -> bool:
        """Whether the roster shows mobile numbers."""
        return self.enabled and self.show_mobile

    def read(self) -> ContactVisibility:
        """The setting as `GET /users/contact-info-enabled` answers it."""
        return ContactVisibility(
            enabled=self.enabled,
            show_email=self.show_email,
            show_phone=self.show_phone,
            show_mobile=self.show_mobile,
        )


def access_of(principal: Principal, member_id: UUID) -> Access:
    """The caller's view of one member; their own record is never redacted."""
    if member_id == principal.user_id or grants(principal.permissions, "members.manage"):
        return Access.FULL
    if grants(principal.permissions, "users.view"):
        return Access.DIRECTORY
    return Access.PROFILE


def redact(member: M, access: Access, visibility: Visibility) -> M:
    """The member as this caller may see them."""
    if access is Access.FULL:
        return member
    changes: dict[str, Any] = {
        **_PERSONAL,
        "email": member.email if visibility.email else None,
        "phone": member.phone if visibility.phone else None,
        "mobile": member.mobile if visibility.mobile else None,
        "emergency_contacts": [],
    }
    if access is Access.PROFILE:
        changes.update(_ACCOUNT)
        changes["roles"] = [msgspec.structs.replace(r, permissions=[]) for r in member.roles]
        if hasattr(member, "notification_preferences"):
            changes["notification_preferences"] = None
    return msgspec.structs.replace(member, **changes)


def discloses_restricted(member: MemberWithRoles) -> bool:
    """Whether a shown record reveals a date of birth or emergency contacts (audited)."""
    return member.date_of_birth is not None or bool(member.emergency_contacts)
