"""Queries of the organization's inventory categories."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import exists, select

from shared.db.repository import TenantRepository
from shared.models import InventoryCategory, InventoryItem, ItemType


class CategoryRepository(TenantRepository[InventoryCategory]):
    """The caller's organization's categories."""

    model = InventoryCategory

    async def list_visible(
        self, *, item_type: ItemType | None, active_only: bool
    ) -> Sequence[InventoryCategory]:
        """Categories by name, without the medical ones (another module owns those)."""
        stmt = self.scoped().where(InventoryCategory.item_type != ItemType.MEDICAL)
        if item_type is not None:
            stmt = stmt.where(InventoryCategory.item_type == item_type)
        if active_only:
            stmt = stmt.where(InventoryCategory.active.is_(True))
        stmt = stmt.order_by(InventoryCategory.name, InventoryCategory.id)
        return (await self.session.scalars(stmt)).all()

    async def get_for_update(self, category_id: UUID) -> InventoryCategory | None:
        """The category, locked until commit."""
        stmt = self.scoped().where(InventoryCategory.id == category_id).with_for_update()
        return (await self.session.scalars(stmt)).first()

    async def parents(self) -> dict[UUID, UUID | None]:
        """Every category's parent, to walk the tree without a query per level."""
        stmt = select(InventoryCategory.id, InventoryCategory.parent_category_id).where(
            InventoryCategory.organization_id == self.organization_id
        )
        return {row.id: row.parent_category_id for row in await self.session.execute(stmt)}

    async def names(self, category_ids: set[UUID]) -> dict[UUID, str]:
        """The names of these categories (of this organization)."""
        if not category_ids:
            return {}
        stmt = select(InventoryCategory.id, InventoryCategory.name).where(
            InventoryCategory.organization_id == self.organization_id,
            InventoryCategory.id.in_(category_ids),
        )
        return {row.id: row.name for row in await self.session.execute(stmt)}

    async def has_active_items(self, category_id: UUID) -> bool:
        """Whether an active item still points to the category."""
        found = await self.session.scalar(
            select(
                exists().where(
                    InventoryItem.organization_id == self.organization_id,
                    InventoryItem.category_id == category_id,
                    InventoryItem.active.is_(True),
                )
            )
        )
        return bool(found)

    async def save(self, category: InventoryCategory, fields: dict[str, Any]) -> None:
        """Set `fields` and write the category."""
        for key, value in fields.items():
            setattr(category, key, value)
        self.session.add(category)
        await self.session.flush()
