"""Member shapes built from rows: the roster row, the member with roles, the profile."""

from typing import Any

import msgspec

from api.members.repository import RosterRow
from api.members.schemas import MemberListItem, MemberProfile, MemberWithRoles
from api.roles.schemas import RoleRead
from shared.models import Position, User


def full_name(first: str | None, middle: str | None, last: str | None) -> str:
    """The non-empty name parts joined by a space."""
    return " ".join(part for part in (first, middle, last) if part)


def roster_item(row: RosterRow) -> MemberListItem:
    """A roster row from `MemberRepository.roster` columns."""
    return MemberListItem(
        id=row.id,
        organization_id=row.organization_id,
        username=row.username,
        email=row.email,
        first_name=row.first_name,
        middle_name=row.middle_name,
        last_name=row.last_name,
        full_name=full_name(row.first_name, row.middle_name, row.last_name),
        membership_number=row.membership_number,
        phone=row.phone,
        mobile=row.mobile,
        photo_url=row.photo_url,
        status=row.status,
        membership_type=row.membership_type,
        compliance_exempt=row.compliance_exempt,
        hire_date=row.hire_date,
        rank=row.rank,
        station=row.station,
        platoon=row.platoon,
    )


def role_read(role: Position) -> RoleRead:
    """A role as embedded in a member."""
    return msgspec.convert(role, RoleRead, from_attributes=True)


def roles_of(user: User) -> list[RoleRead]:
    """The member's roles, most senior first (roles must be loaded)."""
    roles = sorted((up.position for up in user.positions), key=lambda p: (-p.priority, p.name))
    return [role_read(role) for role in roles]


def _member_fields(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "organization_id": user.organization_id,
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "middle_name": user.middle_name,
        "last_name": user.last_name,
        "full_name": user.full_name,
        "membership_number": user.membership_number,
        "phone": user.phone,
        "mobile": user.mobile,
        "photo_url": user.photo_url,
        "status": user.status,
        "membership_type": user.membership_type,
        "compliance_exempt": user.compliance_exempt,
        "hire_date": user.hire_date,
        "rank": user.rank,
        "station": user.station,
        "platoon": user.platoon,
        "personal_email": user.personal_email,
        "date_of_birth": user.date_of_birth,
        "address_street": user.address_street,
        "address_city": user.address_city,
        "address_state": user.address_state,
        "address_zip": user.address_zip,
        "address_country": user.address_country,
        "emergency_contacts": list(user.emergency_contacts or []),
        "email_verified": user.email_verified,
        "mfa_enabled": user.mfa_enabled,
        "last_login_at": user.last_login_at,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "roles": roles_of(user),
    }


def member_with_roles(user: User) -> MemberWithRoles:
    """The unredacted admin-page row (roles must be loaded)."""
    return MemberWithRoles(**_member_fields(user))


def member_profile(user: User) -> MemberProfile:
    """The unredacted profile (roles must be loaded)."""
    return MemberProfile(
        **_member_fields(user), notification_preferences=user.notification_preferences
    )
