"""Routes of `/api/v1/inventory/categories` (spec inventory.md §6.1 #1 to #5)."""

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.inventory.deps import INVENTORY_DEPENDENCIES
from api.inventory.permissions import INVENTORY_MANAGE, INVENTORY_VIEW
from api.inventory.schemas import CategoryCreate, CategoryRead, CategoryUpdate
from api.inventory.service import InventoryService
from shared.errors import documented_error
from shared.models import InventoryCategory, ItemType

CYCLE = documented_error("The parent is the category itself or one of its subcategories")
IN_USE = documented_error("Active items are in the category; retire or move them first")


class CategoryController(Controller):
    """Kinds of gear; medical ones belong to the medical-supply module."""

    path = "/categories"
    dependencies = INVENTORY_DEPENDENCIES

    @get("/", guards=[INVENTORY_VIEW])
    async def list_categories(
        self,
        inventory: NamedDependency[InventoryService],
        item_type: Annotated[ItemType | None, QueryParameter(description="Only this type")] = None,
        active_only: Annotated[bool, QueryParameter(description="Hide inactive ones")] = True,
    ) -> list[CategoryRead]:
        """Categories by name, without medical ones; no paging."""
        rows = await inventory.list_categories(item_type=item_type, active_only=active_only)
        return [category_read(row) for row in rows]

    @post("/", status_code=201, guards=[INVENTORY_MANAGE])
    async def create_category(
        self, data: JSONBody[CategoryCreate], inventory: NamedDependency[InventoryService]
    ) -> CategoryRead:
        """Add a category (400 for a parent that is not the organization's)."""
        return category_read(await inventory.create_category(data))

    @get("/{category_id:str}", guards=[INVENTORY_VIEW])
    async def get_category(
        self, category_id: FromPath[UUID], inventory: NamedDependency[InventoryService]
    ) -> CategoryRead:
        """One category, inactive ones included."""
        return category_read(await inventory.get_category(category_id))

    @patch("/{category_id:str}", guards=[INVENTORY_MANAGE], responses={409: CYCLE})
    async def update_category(
        self,
        category_id: FromPath[UUID],
        data: JSONBody[CategoryUpdate],
        inventory: NamedDependency[InventoryService],
    ) -> CategoryRead:
        """Change the fields sent; `active: true` reactivates."""
        return category_read(await inventory.update_category(category_id, data))

    @delete(
        "/{category_id:str}", status_code=204, guards=[INVENTORY_MANAGE], responses={409: IN_USE}
    )
    async def delete_category(
        self, category_id: FromPath[UUID], inventory: NamedDependency[InventoryService]
    ) -> None:
        """Deactivate the category (a soft delete)."""
        await inventory.delete_category(category_id)


def category_read(category: InventoryCategory) -> CategoryRead:
    """The category as the API answers it."""
    return msgspec.convert(category, CategoryRead, from_attributes=True)
