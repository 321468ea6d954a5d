"""Routes under /api/v1/locations and /api/v1/operational-ranks (spec §3.5)."""

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from api.deps import COMMON_DEPENDENCIES
from api.locations.deps import provide_location_service, provide_rank_service
from api.locations.ranks import RankService
from api.locations.schemas import (
    LocationCreate,
    LocationListItem,
    LocationRead,
    LocationUpdate,
    RankRead,
    location_read,
)
from api.locations.service import LocationService
from shared.errors import documented_error
from shared.principal import requires
from shared.types import Skip, row_limit

Limit = Annotated[int, row_limit(1000)]
ActiveFilter = Annotated[bool | None, QueryParameter(description="Only (in)active rows")]


class LocationController(Controller):
    """The organization's locations."""

    path = "/api/v1/locations"
    tags = ["locations"]
    dependencies = {
        **COMMON_DEPENDENCIES,
        "locations": Provide(provide_location_service, sync_to_thread=False),
    }

    @get("/")
    async def list_locations(
        self,
        locations: NamedDependency[LocationService],
        is_active: ActiveFilter = None,
        exclude_rooms: Annotated[bool, QueryParameter(description="Hide room rows")] = False,
        skip: Skip = 0,
        limit: Limit = 100,
    ) -> list[LocationListItem]:
        """Locations by name, without coordinates (any signed-in member)."""
        rows = await locations.list_page(
            is_active=is_active, exclude_rooms=exclude_rooms, skip=skip, limit=limit
        )
        shown = locations.shows_codes
        return [location_read(row, LocationListItem, show_code=shown) for row in rows]

    @post(
        "/",
        status_code=201,
        guards=[requires("locations.create", "locations.manage")],
        responses={409: documented_error("A location of that name is already in the building")},
    )
    async def create_location(
        self, data: JSONBody[LocationCreate], locations: NamedDependency[LocationService]
    ) -> LocationRead:
        """Add a location; its display code is generated."""
        created = await locations.create(data)
        return location_read(created, LocationRead, show_code=locations.shows_codes)

    @get("/{location_id:str}")
    async def get_location(
        self, location_id: FromPath[UUID], locations: NamedDependency[LocationService]
    ) -> LocationRead:
        """One location (any signed-in member)."""
        found = await locations.get(location_id)
        return location_read(found, LocationRead, show_code=locations.shows_codes)

    @patch("/{location_id:str}", guards=[requires("locations.edit", "locations.manage")])
    async def update_location(
        self,
        location_id: FromPath[UUID],
        data: JSONBody[LocationUpdate],
        locations: NamedDependency[LocationService],
    ) -> LocationRead:
        """Change the fields sent."""
        updated = await locations.update(location_id, data)
        return location_read(updated, LocationRead, show_code=locations.shows_codes)

    @delete(
        "/{location_id:str}",
        status_code=204,
        guards=[requires("locations.delete", "locations.manage")],
    )
    async def delete_location(
        self, location_id: FromPath[UUID], locations: NamedDependency[LocationService]
    ) -> None:
        """Delete a location."""
        await locations.delete(location_id)

    @post(
        "/{location_id:str}/regenerate-display-code",
        status_code=200,
        guards=[requires("locations.edit", "locations.manage")],
    )
    async def regenerate_display_code(
        self, location_id: FromPath[UUID], locations: NamedDependency[LocationService]
    ) -> LocationRead:
        """Give the location a new kiosk code; the old URL stops working."""
        updated = await locations.regenerate_code(location_id)
        return location_read(updated, LocationRead, show_code=locations.shows_codes)


class RankController(Controller):
    """The organization's operational ranks."""

    path = "/api/v1/operational-ranks"
    tags = ["locations"]
    dependencies = {
        **COMMON_DEPENDENCIES,
        "ranks": Provide(provide_rank_service, sync_to_thread=False),
    }

    @get("/")
    async def list_ranks(
        self,
        ranks: NamedDependency[RankService],
        is_active: ActiveFilter = None,
        skip: Skip = 0,
        limit: Limit = 100,
    ) -> list[RankRead]:
        """Ranks by sort order, then name (any signed-in member); seeded on first read."""
        rows = await ranks.list_page(is_active=is_active, skip=skip, limit=limit)
        return [msgspec.convert(row, RankRead, from_attributes=True) for row in rows]
