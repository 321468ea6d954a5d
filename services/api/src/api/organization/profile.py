"""The organization's profile as the settings page reads and writes it (spec §3.4, §3.7)."""

from typing import Any

import msgspec

from api.organization.schemas import (
    AddressRead,
    AddressUpdate,
    OrgAddressRead,
    OrgProfileRead,
    OrgProfileUpdate,
)
from shared.models import Organization

ADDRESS_PARTS = ("line1", "line2", "city", "state", "zip")
SCALAR_FIELDS = ("name", "timezone", "phone", "email", "website", "county", "founded_year", "logo")


def _text(value: str | None) -> str:
    return value or ""


def _address(organization: Organization, kind: str) -> AddressRead:
    parts = {part: _text(getattr(organization, f"{kind}_address_{part}")) for part in ADDRESS_PARTS}
    return AddressRead(**parts)


def profile_of(organization: Organization) -> OrgProfileRead:
    """The profile with "" for every missing string."""
    return OrgProfileRead(
        name=organization.name,
        timezone=organization.timezone,
        phone=_text(organization.phone),
        email=_text(organization.email),
        website=_text(organization.website),
        county=_text(organization.county),
        founded_year=organization.founded_year,
        logo=_text(organization.logo),
        mailing_address=_address(organization, "mailing"),
        physical_address_same=organization.physical_address_same,
        physical_address=_address(organization, "physical"),
    )


def _apply_address(organization: Organization, kind: str, update: AddressUpdate) -> bool:
    changed = False
    for part, value in msgspec.structs.asdict(update).items():
        if value is msgspec.UNSET:
            continue
        column = f"{kind}_address_{part}"
        new = (value.strip() or None) if isinstance(value, str) else None
        if getattr(organization, column) != new:
            setattr(organization, column, new)
            changed = True
    return changed


def apply_profile(organization: Organization, update: OrgProfileUpdate) -> list[str]:
    """Set the fields sent; the names of those that changed."""
    changed: list[str] = []
    for field in SCALAR_FIELDS:
        value: Any = getattr(update, field)
        if value is msgspec.UNSET:
            continue
        if isinstance(value, str):
            value = value.strip() or None
        if field in {"name", "timezone"} and value is None:
            continue  # required columns: a blank name or zone is not a change
        if getattr(organization, field) != value:
            setattr(organization, field, value)
            changed.append(field)
    if isinstance(update.physical_address_same, bool) and (
        update.physical_address_same != organization.physical_address_same
    ):
        organization.physical_address_same = update.physical_address_same
        changed.append("physical_address_same")
    for kind in ("mailing", "physical"):
        address = getattr(update, f"{kind}_address")
        if isinstance(address, AddressUpdate) and _apply_address(organization, kind, address):
            changed.append(f"{kind}_address")
    return changed


def address_of(organization: Organization) -> OrgAddressRead:
    """The physical address when it is set and not "same", else the mailing address."""
    physical = _address(organization, "physical")
    use_physical = not organization.physical_address_same and any(
        (physical.line1, physical.city, physical.state, physical.zip)
    )
    chosen = physical if use_physical else _address(organization, "mailing")
    return OrgAddressRead(
        address=chosen.line1,
        city=chosen.city,
        state=chosen.state,
        zip=chosen.zip,
    )
