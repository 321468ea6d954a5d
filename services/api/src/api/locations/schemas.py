"""Bodies of the location and rank routes (spec §2.10, §3.5; ranks: addendum §3)."""

from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from shared.models import Location
from shared.types import line, name, text

Name = Annotated[str, name(200)]
Description = Annotated[str, text(5000)]
Coordinate = Annotated[str, line(20)]
Capacity = Annotated[int, Meta(ge=1, le=1_000_000)]


Text255 = Annotated[str, line(255)]
Text100 = Annotated[str, line(100)]
Text50 = Annotated[str, line(50)]
Text20 = Annotated[str, line(20)]


class LocationCreate(msgspec.Struct):
    """A new location; the display code is assigned by the server."""

    name: Name
    description: Description | None = None
    address: Text255 | None = None
    city: Text100 | None = None
    state: Text50 | None = None
    zip: Text20 | None = None
    latitude: Coordinate | None = None
    longitude: Coordinate | None = None
    building: Text100 | None = None
    floor: Text20 | None = None
    room_number: Text50 | None = None
    capacity: Capacity | None = None
    is_active: bool = True
    facility_id: UUID | None = None


class LocationUpdate(msgspec.Struct):
    """A partial location edit: absent fields stay, null clears the optional ones."""

    name: Name | UnsetType = UNSET
    description: Description | UnsetType | None = UNSET
    address: Text255 | UnsetType | None = UNSET
    city: Text100 | UnsetType | None = UNSET
    state: Text50 | UnsetType | None = UNSET
    zip: Text20 | UnsetType | None = UNSET
    latitude: Coordinate | UnsetType | None = UNSET
    longitude: Coordinate | UnsetType | None = UNSET
    building: Text100 | UnsetType | None = UNSET
    floor: Text20 | UnsetType | None = UNSET
    room_number: Text50 | UnsetType | None = UNSET
    capacity: Capacity | UnsetType | None = UNSET
    is_active: bool | UnsetType = UNSET
    facility_id: UUID | UnsetType | None = UNSET


class LocationListItem(msgspec.Struct):
    """A location in the list (no coordinates); the code only for location managers."""

    id: UUID
    organization_id: UUID
    name: str
    description: str | None
    address: str | None
    city: str | None
    state: str | None
    zip: str | None
    building: str | None
    floor: str | None
    room_number: str | None
    capacity: int | None
    is_active: bool
    facility_id: UUID | None
    facility_room_id: UUID | None
    display_code: str | None
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime


class LocationRead(LocationListItem, kw_only=True):
    """One location, with its coordinates."""

    latitude: str | None
    longitude: str | None


ReadShape = TypeVar("ReadShape", bound=LocationListItem)


def location_read(location: Location, shape: type[ReadShape], *, show_code: bool) -> ReadShape:
    """The location in `shape`, its display code blanked unless the caller may see it."""
    read = msgspec.convert(location, shape, from_attributes=True)
    return read if show_code else msgspec.structs.replace(read, display_code=None)


class RankRead(msgspec.Struct):
    """An operational rank (feeds the rank dropdowns)."""

    id: UUID
    organization_id: UUID
    rank_code: str
    display_name: str
    description: str | None
    sort_order: int
    is_active: bool
    eligible_positions: list[Any] | None
    created_at: datetime
    updated_at: datetime


RankCode = Annotated[str, name(100)]
RankName = Annotated[str, name(200)]
SortOrder = Annotated[int, Meta(ge=0, le=100_000)]
Position = Literal[
    "officer",
    "driver",
    "firefighter",
    "ems",
    "captain",
    "lieutenant",
    "probationary",
    "volunteer",
    "other",
]
Positions = Annotated[list[Position], Meta(max_length=20)]


class RankCreate(msgspec.Struct):
    """A new rank; the code is unique in the organization regardless of case."""

    rank_code: RankCode
    display_name: RankName
    description: Description | None = None
    sort_order: SortOrder = 0
    is_active: bool = True
    eligible_positions: Positions | None = None


class RankUpdate(msgspec.Struct):
    """A partial rank edit: absent fields stay; null clears only the optional ones (else 422)."""

    rank_code: RankCode | UnsetType = UNSET
    display_name: RankName | UnsetType = UNSET
    description: Description | UnsetType | None = UNSET
    sort_order: SortOrder | UnsetType = UNSET
    is_active: bool | UnsetType = UNSET
    eligible_positions: Positions | UnsetType | None = UNSET


class RankPlace(msgspec.Struct):
    """One rank's new place in the order."""

    id: UUID
    sort_order: SortOrder


class RankReorder(msgspec.Struct):
    """New places for some or all ranks; ids of other organizations are skipped."""

    ranks: Annotated[list[RankPlace], Meta(min_length=1, max_length=1000)]


class RankIssue(msgspec.Struct):
    """A member whose rank matches no rank of the organization."""

    member_id: UUID
    member_name: str
    rank_code: str


class RankValidation(msgspec.Struct):
    """Members holding unknown rank codes."""

    issues: list[RankIssue]
    total: int
