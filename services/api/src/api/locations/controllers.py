"""Routes under /api/v1/locations (spec §3.5) and /api/v1/operational-ranks (addendum §3)."""

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
    RankCreate,
    RankRead,
    RankReorder,
    RankUpdate,
    RankValidation,
    location_read,
)
from api.locations.service import LocationService
from shared.errors import documented_error
from shared.models import OperationalRank
from shared.principal import requires
from shared.types import Skip, row_limit

Limit = Annotated[int, row_limit(1000)]
ActiveFilter = Annotated[bool | None, QueryParameter(description="Only (in)active rows")]
RANK_WRITERS = requires("settings.manage")
RANK_CLASH = documented_error("Rank code 'captain' already exists")


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

    @patch(
        "/{location_id:str}",
        guards=[requires("locations.edit", "locations.manage")],
        responses={409: documented_error("A location of that name is already in the building")},
    )
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
        # Not "ranks": Litestar takes a body error at `ranks` (the reorder list) for a failed
        # dependency of that name and answers 500 instead of 422.
        "rank_service": Provide(provide_rank_service, sync_to_thread=False),
    }

    @get("/")
    async def list_ranks(
        self,
        rank_service: NamedDependency[RankService],
        is_active: ActiveFilter = None,
        skip: Skip = 0,
        limit: Limit = 100,
    ) -> list[RankRead]:
        """Ranks by sort order, then name (any signed-in member); seeded on first read."""
        rows = await rank_service.list_page(is_active=is_active, skip=skip, limit=limit)
        return [rank_read(row) for row in rows]

    @get("/validate")
    async def validate_ranks(self, rank_service: NamedDependency[RankService]) -> RankValidation:
        """Members on the roll whose rank matches no rank of the organization."""
        return await rank_service.validate()

    @post(
        "/",
        status_code=201,
        guards=[RANK_WRITERS],
        responses={409: RANK_CLASH},
    )
    async def create_rank(
        self, data: JSONBody[RankCreate], rank_service: NamedDependency[RankService]
    ) -> RankRead:
        """Add a rank."""
        return rank_read(await rank_service.create(data))

    @post("/reorder", status_code=200, guards=[RANK_WRITERS])
    async def reorder_ranks(
        self, data: JSONBody[RankReorder], rank_service: NamedDependency[RankService]
    ) -> list[RankRead]:
        """Give ranks new sort orders; the full list, active and inactive, re-sorted."""
        return [rank_read(row) for row in await rank_service.reorder(data)]

    @get("/{rank_id:str}")
    async def get_rank(
        self, rank_id: FromPath[UUID], rank_service: NamedDependency[RankService]
    ) -> RankRead:
        """One rank (any signed-in member)."""
        return rank_read(await rank_service.get(rank_id))

    @patch(
        "/{rank_id:str}",
        guards=[RANK_WRITERS],
        responses={409: documented_error("Rank code already exists, or members hold it")},
    )
    async def update_rank(
        self,
        rank_id: FromPath[UUID],
        data: JSONBody[RankUpdate],
        rank_service: NamedDependency[RankService],
    ) -> RankRead:
        """Change the fields sent; a code members hold cannot change."""
        return rank_read(await rank_service.update(rank_id, data))

    @delete("/{rank_id:str}", status_code=204, guards=[RANK_WRITERS])
    async def delete_rank(
        self, rank_id: FromPath[UUID], rank_service: NamedDependency[RankService]
    ) -> None:
        """Delete a rank; members holding its code keep it."""
        await rank_service.delete(rank_id)


def rank_read(rank: OperationalRank) -> RankRead:
    """The rank as the API answers it."""
    return msgspec.convert(rank, RankRead, from_attributes=True)
