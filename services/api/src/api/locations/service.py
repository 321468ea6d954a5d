"""Location rules: names unique per building, secret display codes, audit and events."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypedDict
from uuid import UUID

import msgspec

from api.audit.trail import AuditTrail
from api.locations.codes import name_key, new_display_code
from api.locations.errors import (
    DisplayCodeExhaustedError,
    DuplicateLocationNameError,
    FacilityNotFoundError,
    LocationNotFoundError,
    RoomFacilityChangeError,
)
from api.locations.repository import LocationRepository
from api.locations.schemas import LocationCreate, LocationUpdate
from shared.db.integrity import ClashError
from shared.events.contracts.locations import (
    LocationCreated,
    LocationDeleted,
    LocationDisplayCodeRotated,
    LocationUpdated,
)
from shared.events.envelope import EventData
from shared.events.outbox import Outbox
from shared.models import Location
from shared.permissions import grants_any
from shared.principal import Principal

CODE_ATTEMPTS = 5
CODE_READERS = ("locations.manage", "locations.edit", "facilities.manage")


@dataclass
class LocationService:
    """Locations of one caller's organization."""

    locations: LocationRepository
    audit: AuditTrail
    outbox: Outbox
    principal: Principal

    @property
    def shows_codes(self) -> bool:
        """Display codes are secrets: only location and facility managers see them."""
        return grants_any(self.principal.permissions, CODE_READERS)

    async def list_page(
        self, *, is_active: bool | None, exclude_rooms: bool, skip: int, limit: int
    ) -> Sequence[Location]:
        """A page of the organization's locations by name."""
        return await self.locations.list_page(
            is_active=is_active, exclude_rooms=exclude_rooms, skip=skip, limit=limit
        )

    async def get(self, location_id: UUID) -> Location:
        """One location (404 when missing or foreign)."""
        found = await self.locations.get(location_id)
        if found is None:
            raise LocationNotFoundError
        return found

    async def create(self, request: LocationCreate) -> Location:
        """A new location with a fresh display code."""
        self._check_facility(request.facility_id)
        location = Location(
            organization_id=self.principal.organization_id, created_by=self.principal.user_id
        )
        fields = _normalised(location, msgspec.structs.asdict(request))
        await self._save(location, fields, new_code=True)
        await self._record("location_created", location)
        self._publish(LocationCreated(**_facts(location)))
        return location

    async def update(self, location_id: UUID, request: LocationUpdate) -> Location:
        """Set the fields sent; a room-backed location keeps its facility."""
        location = await self._locked(location_id)
        changes = {
            key: value
            for key, value in msgspec.structs.asdict(request).items()
            if value is not msgspec.UNSET
        }
        if "facility_id" in changes and changes["facility_id"] != location.facility_id:
            if location.facility_room_id is not None:
                raise RoomFacilityChangeError
            self._check_facility(changes["facility_id"])
        fields_changed = sorted(changes)
        await self._save(location, _normalised(location, changes), new_code=False)
        await self._record("location_updated", location, fields_changed=fields_changed)
        self._publish(LocationUpdated(**_facts(location)))
        return location

    async def delete(self, location_id: UUID) -> None:
        """Delete the location.

        A location used by events is deactivated instead (§4 #20), but no events table exists
        yet, so nothing can reference a location and the delete is always real.
        """
        location = await self._locked(location_id)
        await self.locations.delete(location)
        await self._record("location_deleted", location)
        self._publish(LocationDeleted(**_facts(location), deactivated_instead=False))

    async def regenerate_code(self, location_id: UUID) -> Location:
        """Replace the display code; the old kiosk URL stops working."""
        location = await self._locked(location_id)
        await self._save(location, {}, new_code=True)
        await self.audit.record(
            "location_display_code_regenerated",
            "administration",
            "warning",
            location_id=str(location.id),
            location_name=location.name,
        )
        self._publish(LocationDisplayCodeRotated(location_id=location.id))
        return location

    async def _locked(self, location_id: UUID) -> Location:
        found = await self.locations.get_for_update(location_id)
        if found is None:
            raise LocationNotFoundError
        return found

    @staticmethod
    def _check_facility(facility_id: UUID | None) -> None:
        # No facilities module exists yet, so no facility belongs to the organization.
        if facility_id is not None:
            raise FacilityNotFoundError

    async def _save(self, location: Location, fields: dict[str, Any], *, new_code: bool) -> None:
        """Write `fields`: 409 on a name clash in the building, another code on a code clash."""
        # The repository sets the fields inside its savepoint: a clash leaves the transaction
        # usable but the location expired, so only locals are read after one.
        keys = (
            fields.get("name_key", location.name_key),
            fields.get("building_key", location.building_key),
        )
        if await self.locations.name_taken(*keys, besides=location.id):
            raise DuplicateLocationNameError
        for _ in range(CODE_ATTEMPTS):
            if new_code:
                fields["display_code"] = await self._unused_code()
            try:
                await self.locations.save(location, fields)
            except ClashError as clash:
                # A concurrent write took the name, or (rarely) the new code.
                if new_code and clash.field == "display_code":
                    continue
                if clash.field == "name_key":
                    raise DuplicateLocationNameError from None
                raise
            return
        raise DisplayCodeExhaustedError

    async def _unused_code(self) -> str:
        code = new_display_code()
        while await self.locations.code_in_use(code):
            code = new_display_code()
        return code

    async def _record(
        self, event_type: str, location: Location, fields_changed: list[str] | None = None
    ) -> None:
        data: dict[str, Any] = {"location_id": str(location.id), "location_name": location.name}
        if fields_changed is not None:
            data["fields_changed"] = fields_changed
        await self.audit.record(event_type, "administration", "info", **data)

    def _publish(self, data: EventData) -> None:
        self.outbox.add(
            data, organization_id=self.principal.organization_id, actor_id=self.principal.user_id
        )


def _normalised(location: Location, fields: dict[str, Any]) -> dict[str, Any]:
    """`fields` with a trimmed name and building and the keys the unique constraint compares."""
    name = str(fields.get("name", location.name)).strip()
    building = (fields.get("building", location.building) or "").strip() or None
    return {
        **fields,
        "name": name,
        "building": building,
        "name_key": name_key(name),
        "building_key": name_key(building),
    }


class _LocationFacts(TypedDict):
    """The fields every location event carries."""

    location_id: UUID
    name: str
    building: str | None
    is_active: bool


def _facts(location: Location) -> _LocationFacts:
    return _LocationFacts(
        location_id=location.id,
        name=location.name,
        building=location.building,
        is_active=location.is_active,
    )
