"""Reading items: the list, one item, the scan look-up and an item's history (§6.2, §6.6)."""

from collections.abc import Sequence
from uuid import UUID

from api.inventory.lookup_index import CodeIndex, Match, answer_values, first_match
from api.inventory.schemas import (
    ItemFilters,
    ItemHistory,
    ItemPage,
    ItemRead,
    LookupHit,
    LookupRead,
    item_read,
    list_reads,
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
        return ItemPage(items=list_reads(rows), total=total, skip=skip, limit=limit)

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
        index = await self.codes.index()
        matches = index.search(wanted)
        answers = await self._answers(index, matches[:limit])
        if not _still_matching(matches[:limit], answers, wanted):
            # A change this instance has not heard of yet: search a fresh index.
            index = await self.codes.reloaded()
            matches = index.search(wanted)
            answers = await self._answers(index, matches[:limit])
        hits = [
            LookupHit(item=read, matched_field=m.field, matched_value=getattr(read, m.field))
            for m in matches[:limit]
            if (read := answers.get(m.item_id)) is not None
        ]
        return LookupRead(results=hits, total=len(matches))

    async def _answers(self, index: CodeIndex, matches: list[Match]) -> dict[UUID, ItemRead]:
        """The hits' list shapes: kept ones from the index, the others read (and kept)."""
        wanted = [m.item_id for m in matches]
        answers = index.answers(wanted)
        missing = [item_id for item_id in wanted if item_id not in answers]
        if missing:
            read_after = index.changes
            rows = await self.items.active_by_ids(missing)
            fresh = await self._reads(list(rows.values()))
            index.keep(fresh, read_after=read_after)
            answers.update((read.id, read) for read in fresh)
        return answers

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


def _still_matching(matches: list[Match], answers: dict[UUID, ItemRead], code: str) -> bool:
    """Whether every hit is still active and still matches by the same field."""
    return all(
        m.item_id in answers and first_match(answer_values(answers[m.item_id]), code) == m.field
        for m in matches
    )
