"""The scan look-up and the storage areas (spec inventory.md §6.6 #23, §6.9 #31)."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api.inventory.deps import INVENTORY_DEPENDENCIES
from api.inventory.permissions import INVENTORY_VIEW
from api.inventory.schemas import LookupRead, StorageAreaRead
from api.inventory.service import InventoryService
from shared.types import row_limit


class CatalogController(Controller):
    """Finding items by what is printed on them, and where they are kept."""

    path = "/"
    dependencies = INVENTORY_DEPENDENCIES

    @get("/lookup", guards=[INVENTORY_VIEW])
    async def lookup_items(
        self,
        inventory: NamedDependency[InventoryService],
        code: Annotated[str, QueryParameter(min_length=1, max_length=255)],
        limit: Annotated[int, row_limit(50)] = 20,
    ) -> LookupRead:
        """Active items whose barcode, serial, asset tag, name, size or colour contain `code`;
        exact matches first."""
        return await inventory.lookup(code, limit=limit)

    @get("/storage-areas", guards=[INVENTORY_VIEW])
    async def list_storage_areas(
        self,
        inventory: NamedDependency[InventoryService],
        location_id: Annotated[UUID | None, QueryParameter(description="In this room")] = None,
        parent_id: Annotated[UUID | None, QueryParameter(description="Below this area")] = None,
        flat: Annotated[bool, QueryParameter(description="A list, not a tree")] = False,
    ) -> list[StorageAreaRead]:
        """Active storage areas by sort order, nested under their parents unless `flat`."""
        return await inventory.storage_areas(
            location_id=location_id, parent_id=parent_id, flat=flat
        )
