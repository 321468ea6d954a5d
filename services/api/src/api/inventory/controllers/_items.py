"""Routes of `/api/v1/inventory/items` (spec inventory.md §6.2 #6 to #11)."""

from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.inventory.deps import INVENTORY_DEPENDENCIES
from api.inventory.permissions import INVENTORY_MANAGE, INVENTORY_VIEW
from api.inventory.schemas import (
    ItemCreate,
    ItemFilters,
    ItemHistory,
    ItemPage,
    ItemRead,
    ItemUpdate,
    Message,
    RetireRequest,
)
from api.inventory.service import InventoryService
from shared.errors import documented_error
from shared.models import GarmentStyle, ItemCondition, ItemStatus, ItemType
from shared.types import Skip, row_limit

DUPLICATE = documented_error("Another item has this barcode, serial_number or asset_tag")
DUPLICATE_OR_STATE = documented_error(
    "Another item has the code, or the item's status or holders do not allow the change"
)
STATE = documented_error("The item's status or holders do not allow the change; `detail` says why")
Limit = Annotated[int, row_limit(500)]
Id = Annotated[UUID | None, QueryParameter(description="Only items with this id")]
Text = Annotated[str | None, QueryParameter(max_length=50, description="Case-insensitive")]
Search = Annotated[
    str | None, QueryParameter(max_length=255, description="Substring of name, codes, …")
]
SortBy = Annotated[
    str, QueryParameter(max_length=50, description="name, condition, status, quantity, …")
]


class ItemController(Controller):
    """Items: one unit each, or a pool counted by quantity."""

    path = "/items"
    dependencies = INVENTORY_DEPENDENCIES

    @get("/", guards=[INVENTORY_VIEW])
    async def list_items(
        self,
        *,
        inventory: NamedDependency[InventoryService],
        category_id: Id = None,
        status: Annotated[ItemStatus | None, QueryParameter()] = None,
        condition: Annotated[ItemCondition | None, QueryParameter()] = None,
        item_type: Annotated[ItemType | None, QueryParameter(description="Its category's")] = None,
        assigned_to: Id = None,
        location_id: Id = None,
        storage_area_id: Id = None,
        vendor_id: Id = None,
        size: Text = None,
        color: Text = None,
        style: Annotated[GarmentStyle | None, QueryParameter()] = None,
        search: Search = None,
        active_only: Annotated[bool, QueryParameter(description="Hide retired items")] = True,
        sort_by: SortBy = "name",
        sort_order: Annotated[Literal["asc", "desc"], QueryParameter()] = "asc",
        skip: Skip = 0,
        limit: Limit = 100,
    ) -> ItemPage:
        """A page of items (medical ones left out) and the count of all that match."""
        filters = ItemFilters(
            category_id=category_id,
            status=status,
            condition=condition,
            item_type=item_type,
            assigned_to=assigned_to,
            location_id=location_id,
            storage_area_id=storage_area_id,
            vendor_id=vendor_id,
            size=size,
            color=color,
            style=style,
            search=search,
            active_only=active_only,
        )
        descending = sort_order == "desc"
        return await inventory.list_items(
            filters, sort_by=sort_by, descending=descending, skip=skip, limit=limit
        )

    @post("/", status_code=201, guards=[INVENTORY_MANAGE], responses={409: DUPLICATE})
    async def create_item(
        self, data: JSONBody[ItemCreate], inventory: NamedDependency[InventoryService]
    ) -> ItemRead:
        """Add an item; a blank barcode is generated (`INV-000001`, …)."""
        return await inventory.item_detail(await inventory.create_item(data))

    @get("/{item_id:str}", guards=[INVENTORY_VIEW])
    async def get_item(
        self, item_id: FromPath[UUID], inventory: NamedDependency[InventoryService]
    ) -> ItemRead:
        """One item, retired ones included, with its holder's name."""
        return await inventory.get_item(item_id)

    @patch("/{item_id:str}", guards=[INVENTORY_MANAGE], responses={409: DUPLICATE_OR_STATE})
    async def update_item(
        self,
        item_id: FromPath[UUID],
        data: JSONBody[ItemUpdate],
        inventory: NamedDependency[InventoryService],
    ) -> ItemRead:
        """Change the fields sent; null clears; status moves as the transitions allow."""
        return await inventory.item_detail(await inventory.update_item(item_id, data))

    @post(
        "/{item_id:str}/retire", status_code=200, guards=[INVENTORY_MANAGE], responses={409: STATE}
    )
    async def retire_item(
        self,
        item_id: FromPath[UUID],
        data: JSONBody[RetireRequest],
        inventory: NamedDependency[InventoryService],
    ) -> Message:
        """Retire an item nobody holds; it keeps its codes."""
        await inventory.retire_item(item_id, data.notes)
        return Message(message="Item retired")

    @get("/{item_id:str}/history", guards=[INVENTORY_VIEW])
    async def item_history(
        self, item_id: FromPath[UUID], inventory: NamedDependency[InventoryService]
    ) -> ItemHistory:
        """Assignments, returns, checkouts and issuances of the item, newest first."""
        return await inventory.history(item_id)
