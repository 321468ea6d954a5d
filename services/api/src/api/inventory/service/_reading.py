"""Reading items: the list, one item, the scan look-up and an item's history (§6.2, §6.6)."""

from collections.abc import Sequence
from uuid import UUID

from api.inventory.repository import LOOKUP_FIELDS
from api.inventory.schemas import (
    ItemFilters,
    ItemHistory,
    ItemPage,
    ItemRead,
    LookupHit,
    LookupRead,
    item_read,
)
from api.inventory.service._base import InventoryServiceBase
from api.inventory.service._history import history_events
from shared.db.types import utc_now
from shared.models import InventoryItem


class ItemReading(InventoryServiceBase):
    """What members with `inventory.view` read."""

    async def list_items(
        self, filters: ItemFilters, *, sort_by: str, descending: bool, skip: int, limit: int
    ) -> ItemPage:
        """A page of items, medical ones left out, and the count of all that match."""
        rows, total = await self.items.list_page(
            filters, sort_by=sort_by, descending=descending, skip=skip, limit=limit
        )
        return ItemPage(items=await self._reads(rows), total=total, skip=skip, limit=limit)

    async def get_item(self, item_id: UUID) -> ItemRead:
        """One item, retired ones included, with its holder's name (404 when not ours)."""
        return await self.item_detail(await self._item(item_id))

    async def item_detail(self, item: InventoryItem) -> ItemRead:
        """The item's full shape: its category's and its holder's names."""
        names = await self.categories.names({item.category_id} if item.category_id else set())
        holder = item.assigned_to_user_id
        holders = await self.references.member_names({holder} if holder else set())
        return item_read(
            item,
            category_name=names.get(item.category_id) if item.category_id else None,
            assigned_to_name=holders.get(holder) if holder else None,
        )

    async def lookup(self, code: str, *, limit: int) -> LookupRead:
        """Active items whose codes, name, size or colour contain the scanned text."""
        wanted = code.strip()
        if not wanted:
            return LookupRead(results=[], total=0)
        rows, total = await self.items.lookup(wanted, limit=limit)
        hits = []
        for item, read in zip(rows, await self._reads(rows), strict=True):
            field = _first_match(item, wanted.lower())
            hits.append(
                LookupHit(item=read, matched_field=field, matched_value=getattr(item, field))
            )
        return LookupRead(results=hits, total=total)

    async def history(self, item_id: UUID) -> ItemHistory:
        """The item's assignments, checkouts and issuances as events, newest first."""
        item = await self._item(item_id)
        assignments = await self.holders.assignments_of(item.id)
        checkouts = await self.holders.checkouts_of(item.id)
        issuances = await self.holders.issuances_of(item.id)
        members = {a.user_id for a in assignments} | {c.user_id for c in checkouts}
        members |= {i.user_id for i in issuances}
        names = await self.references.member_names(members)
        events = history_events(assignments, checkouts, issuances, names, now=utc_now())
        return ItemHistory(events=events)

    async def _reads(self, rows: Sequence[InventoryItem]) -> list[ItemRead]:
        """List shapes: category names filled in, holder names left null (§6.2 #6)."""
        names = await self.categories.names({r.category_id for r in rows if r.category_id})
        return [
            item_read(row, category_name=names.get(row.category_id) if row.category_id else None)
            for row in rows
        ]


def _first_match(item: InventoryItem, wanted: str) -> str:
    """The first field, by the look-up's priority, whose value contains `wanted`."""
    for field in LOOKUP_FIELDS:
        value = getattr(item, field)
        if value is not None and wanted in str(value).lower():
            return field
    # The database folded case where Python does not (a rare Unicode letter): the name matched.
    return "name"
