"""Queries of the organization's items: pages, look-ups, locked reads and clash-guarded writes."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from api.inventory.lookup_index import LOOKUP_FIELDS, Values
from api.inventory.schemas import ItemFilters
from shared.db.integrity import guarded
from shared.db.repository import TenantRepository
from shared.models import InventoryCategory, InventoryItem, ItemType

SORTABLE: dict[str, InstrumentedAttribute[Any]] = {
    "name": InventoryItem.name,
    "condition": InventoryItem.condition,
    "status": InventoryItem.status,
    "quantity": InventoryItem.quantity,
    "purchase_price": InventoryItem.purchase_price,
    "created_at": InventoryItem.created_at,
    "updated_at": InventoryItem.updated_at,
}
SEARCHED = (
    InventoryItem.name,
    InventoryItem.serial_number,
    InventoryItem.asset_tag,
    InventoryItem.barcode,
    InventoryItem.description,
    InventoryItem.manufacturer,
    InventoryItem.model_number,
    InventoryItem.size,
    InventoryItem.color,
)
# The look-up's fields in the order a hit reports them (§6.6 #23).
ESCAPE = "/"  # not a backslash: MariaDB string literals treat that one specially


def contains(value: str) -> str:
    """A LIKE pattern matching `value` anywhere, its wildcards taken literally."""
    escaped = value.lower().replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def _like(column: InstrumentedAttribute[Any], pattern: str) -> ColumnElement[bool]:
    return func.lower(column).like(pattern, escape=ESCAPE)


class ItemRepository(TenantRepository[InventoryItem]):
    """The caller's organization's items."""

    model = InventoryItem

    async def get_for_update(self, item_id: UUID) -> InventoryItem | None:
        """The item, locked until commit: every change of status, quantity or holder takes it."""
        stmt = self.scoped().where(InventoryItem.id == item_id).with_for_update()
        return (await self.session.scalars(stmt)).first()

    async def list_page(
        self, filters: ItemFilters, *, sort_by: str, descending: bool, skip: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of items (medical ones left out), and the count of all that match.

        The page is the item's columns and its `category_name` by name, not model objects: 50
        items as objects cost a third of the request again (issue 12's list bench).
        """
        stmt = self._filtered(filters)
        counted = stmt.with_only_columns(func.count(), maintain_column_froms=True)
        total = await self.session.scalar(counted)
        column = SORTABLE.get(sort_by, InventoryItem.name)
        order = column.desc() if descending else column.asc()
        columns = (*InventoryItem.__table__.columns, InventoryCategory.name.label("category_name"))
        page = (
            stmt.with_only_columns(*columns, maintain_column_froms=True)
            .order_by(order, InventoryItem.id)
            .offset(skip)
            .limit(limit)
        )
        return [row._asdict() for row in await self.session.execute(page)], int(total or 0)

    def _filtered(self, filters: ItemFilters) -> Select[InventoryItem]:
        # Items of no category stay visible; those of a medical category belong elsewhere.
        stmt = (
            self.scoped()
            .outerjoin(InventoryCategory, InventoryCategory.id == InventoryItem.category_id)
            .where(
                or_(
                    InventoryItem.category_id.is_(None),
                    InventoryCategory.item_type != ItemType.MEDICAL,
                )
            )
        )
        equal: list[tuple[InstrumentedAttribute[Any], object]] = [
            (InventoryItem.category_id, filters.category_id),
            (InventoryItem.status, filters.status),
            (InventoryItem.condition, filters.condition),
            (InventoryCategory.item_type, filters.item_type),
            (InventoryItem.assigned_to_user_id, filters.assigned_to),
            (InventoryItem.location_id, filters.location_id),
            (InventoryItem.storage_area_id, filters.storage_area_id),
            (InventoryItem.vendor_id, filters.vendor_id),
            (InventoryItem.style, filters.style),
        ]
        for column, value in equal:
            if value is not None:
                stmt = stmt.where(column == value)
        if filters.active_only:
            stmt = stmt.where(InventoryItem.active.is_(True))
        if filters.size is not None:
            size = filters.size.lower()
            stmt = stmt.where(
                or_(InventoryItem.standard_size == size, func.lower(InventoryItem.size) == size)
            )
        if filters.color is not None:
            stmt = stmt.where(func.lower(InventoryItem.color) == filters.color.lower())
        if filters.search:
            pattern = contains(filters.search)
            stmt = stmt.where(or_(*(_like(column, pattern) for column in SEARCHED)))
        return stmt

    async def lookup_values(self) -> list[tuple[UUID, Values]]:
        """Each active item's id and the values a scan matches, in `LOOKUP_FIELDS` order."""
        columns = [getattr(InventoryItem, field) for field in LOOKUP_FIELDS]
        stmt = select(InventoryItem.id, *columns).where(
            InventoryItem.organization_id == self.organization_id, InventoryItem.active.is_(True)
        )
        return [(row[0], tuple(row[1:])) for row in await self.session.execute(stmt)]

    async def active_by_ids(self, item_ids: Sequence[UUID]) -> dict[UUID, InventoryItem]:
        """The active items among `item_ids`, by id."""
        if not item_ids:
            return {}
        stmt = self.scoped().where(InventoryItem.id.in_(item_ids), InventoryItem.active.is_(True))
        return {item.id: item for item in await self.session.scalars(stmt)}

    async def save(self, item: InventoryItem, fields: dict[str, Any]) -> None:
        """Set `fields` and write the item in a savepoint; `ClashError` on a code clash.

        After a clash the item is expired (or, when new, no longer in the session): read only
        local values then.
        """
        async with guarded(self.session):
            for key, value in fields.items():
                setattr(item, key, value)
            self.session.add(item)
