"""Categories (spec inventory.md §6.1): the tree, soft deletes, no medical ones in the list."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import msgspec

from api.inventory.errors import (
    CategoryCycleError,
    CategoryInUseError,
    CategoryNotFoundError,
    InvalidReferenceError,
)
from api.inventory.schemas import CategoryCreate, CategoryUpdate
from api.inventory.service._base import InventoryServiceBase
from shared.models import InventoryCategory, ItemType


class CategoryTopic(InventoryServiceBase):
    """Reading and changing the organization's categories."""

    async def list_categories(
        self, *, item_type: ItemType | None, active_only: bool
    ) -> Sequence[InventoryCategory]:
        """Categories by name; the medical ones belong to the medical-supply module."""
        return await self.categories.list_visible(item_type=item_type, active_only=active_only)

    async def get_category(self, category_id: UUID) -> InventoryCategory:
        """One category, inactive ones included (404 when missing or foreign)."""
        return await self._category(category_id)

    async def create_category(self, request: CategoryCreate) -> InventoryCategory:
        """A new category under an existing one of the organization, if any."""
        if request.parent_category_id is not None:
            await self._check_parent(request.parent_category_id)
        category = InventoryCategory(
            organization_id=self.principal.organization_id, created_by=self.principal.user_id
        )
        fields = msgspec.structs.asdict(request)
        await self.categories.save(category, {**fields, "name": request.name.strip()})
        await self._record(
            "inventory_category_created", category_id=str(category.id), category_name=category.name
        )
        return category

    async def update_category(
        self, category_id: UUID, request: CategoryUpdate
    ) -> InventoryCategory:
        """Set the fields sent; the parent may not be the category or one below it."""
        category = await self._locked_category(category_id)
        changes: dict[str, Any] = {
            key: value
            for key, value in msgspec.structs.asdict(request).items()
            if value is not msgspec.UNSET
        }
        if isinstance(changes.get("name"), str):
            changes["name"] = changes["name"].strip()
        parent = changes.get("parent_category_id")
        if parent is not None and parent != category.parent_category_id:
            await self._check_parent(parent)
            await self._refuse_cycle(category.id, parent)
        changed = sorted(key for key, value in changes.items() if getattr(category, key) != value)
        await self.categories.save(category, changes)
        await self._record(
            "inventory_category_updated",
            category_id=str(category.id),
            category_name=category.name,
            fields_changed=[_wire_name(key) for key in changed],
        )
        return category

    async def delete_category(self, category_id: UUID) -> None:
        """Deactivate the category; refused while active items are in it."""
        category = await self._locked_category(category_id)
        if await self.categories.has_active_items(category.id):
            raise CategoryInUseError(category_id=str(category.id))
        await self.categories.save(category, {"active": False})
        await self._record(
            "inventory_category_deleted", category_id=str(category.id), category_name=category.name
        )

    async def _locked_category(self, category_id: UUID) -> InventoryCategory:
        found = await self.categories.get_for_update(category_id)
        if found is None:
            raise CategoryNotFoundError
        return found

    async def _check_parent(self, parent_id: UUID) -> None:
        if await self.categories.get(parent_id) is None:
            raise InvalidReferenceError("Invalid parent category")

    async def _refuse_cycle(self, category_id: UUID, parent_id: UUID) -> None:
        """409 when `parent_id` is the category itself or lies below it."""
        parents = await self.categories.parents()
        node: UUID | None = parent_id
        seen: set[UUID] = set()
        while node is not None and node not in seen:
            if node == category_id:
                raise CategoryCycleError(category_id=str(category_id))
            seen.add(node)
            node = parents.get(node)


def _wire_name(field: str) -> str:
    return "metadata" if field == "extra_data" else field
