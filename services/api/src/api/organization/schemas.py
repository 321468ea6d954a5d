"""Bodies of the organization routes (spec §3.4, §3.7)."""

from functools import lru_cache
from typing import Annotated
from zoneinfo import available_timezones

import msgspec
from msgspec import UNSET, Meta, UnsetType

from shared.types import EMAIL, line, name

# GET answers "" for an empty optional field and the settings page sends the profile back as
# read, so "" must pass (it clears the field). `(?!\n)`: `$` alone also matches before a newline.
EMPTY = r"^$(?!\n)"
OptionalEmail = Annotated[str, Meta(max_length=255, pattern=f"{EMPTY}|{EMAIL}")]
Logo = Annotated[
    str,
    Meta(
        max_length=3_000_000,
        pattern=EMPTY + r"|^data:image/(png|jpeg|jpg|gif|webp);base64,[A-Za-z0-9+/=]+$",
    ),
]
OrgName = Annotated[str, name(255)]


class ModulesRead(msgspec.Struct):
    """Which modules the shell shows (app-shell spec §1.3)."""

    enabled_modules: list[str]
    module_settings: dict[str, bool]


class ContactInfoPatch(msgspec.Struct):
    """Roster visibility switches; absent keys keep their value."""

    enabled: bool | UnsetType = UNSET
    show_email: bool | UnsetType = UNSET
    show_phone: bool | UnsetType = UNSET
    show_mobile: bool | UnsetType = UNSET


class MembershipIdPatch(msgspec.Struct):
    """Membership number settings; absent keys keep their value."""

    enabled: bool | UnsetType = UNSET
    auto_generate: bool | UnsetType = UNSET
    prefix: Annotated[str, line(10)] | UnsetType = UNSET
    next_number: Annotated[int, Meta(ge=1, le=999_999_999)] | UnsetType = UNSET


class MembershipIdPreview(msgspec.Struct):
    """The next number automatic generation would give (not consumed)."""

    enabled: bool
    next_id: str | None


class AddressRead(msgspec.Struct):
    """A postal address; missing parts are ""."""

    line1: str
    line2: str
    city: str
    state: str
    zip: str


class AddressUpdate(msgspec.Struct):
    """A partial address: absent parts stay, null clears."""

    line1: Annotated[str, line(255)] | UnsetType | None = UNSET
    line2: Annotated[str, line(255)] | UnsetType | None = UNSET
    city: Annotated[str, line(100)] | UnsetType | None = UNSET
    state: Annotated[str, line(50)] | UnsetType | None = UNSET
    zip: Annotated[str, line(20)] | UnsetType | None = UNSET


class OrgProfileRead(msgspec.Struct):
    """The organization's profile; missing strings are ""."""

    name: str
    timezone: str
    phone: str
    email: str
    website: str
    county: str
    founded_year: int | None
    logo: str
    mailing_address: AddressRead
    physical_address_same: bool
    physical_address: AddressRead


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


class OrgProfileUpdate(msgspec.Struct):
    """A partial profile: absent fields stay, null or "" clears the optional ones."""

    name: OrgName | UnsetType = UNSET
    timezone: Annotated[str, Meta(max_length=100)] | UnsetType = UNSET
    phone: Annotated[str, line(30)] | UnsetType | None = UNSET
    email: OptionalEmail | UnsetType | None = UNSET
    website: Annotated[str, line(500)] | UnsetType | None = UNSET
    county: Annotated[str, line(100)] | UnsetType | None = UNSET
    founded_year: Annotated[int, Meta(ge=1600, le=2100)] | UnsetType | None = UNSET
    logo: Logo | UnsetType | None = UNSET
    mailing_address: AddressUpdate | UnsetType = UNSET
    physical_address_same: bool | UnsetType = UNSET
    physical_address: AddressUpdate | UnsetType = UNSET

    def __post_init__(self) -> None:
        if isinstance(self.timezone, str) and self.timezone not in _zones():
            raise ValueError("Unknown IANA zone name")


class OrgAddressRead(msgspec.Struct):
    """Where the department is: the physical address unless it is "same", else the mailing one."""

    address: str
    city: str
    state: str
    zip: str
