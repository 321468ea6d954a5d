"""SQL of the holder flows (spec inventory.md §5): locked reads, conditional closes, guarded
counters. Every write that could lose a race states its precondition in its WHERE clause and
reports whether a row matched, so the service turns a lost race into a 409."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSessionTransaction

from api.inventory.repository._flow_lists import display_name
from shared.db.integrity import guarded
from shared.db.repository import TenantRepository
from shared.models import (
    CheckoutRecord,
    InventoryItem,
    ItemAssignment,
    ItemIssuance,
    MemberStatus,
    User,
)

# Exact code matches of a desk scan, in priority order (§6.6 #24): the lower-cased copies.
CODE_KEYS = (
    InventoryItem.barcode_lower,
    InventoryItem.serial_number_lower,
    InventoryItem.asset_tag_lower,
)


class FlowRepository(TenantRepository[InventoryItem]):
    """Items of the caller's organization and the assignments, issuances and checkouts that
    hold them, as the flows change them."""

    model = InventoryItem

    async def lock_item(self, item_id: UUID) -> InventoryItem | None:
        """The item, locked until commit and read afresh: an earlier unlocked read of this
        request (a scan's resolution) may hold values a concurrent commit has since changed."""
        stmt = (
            self.scoped()
            .where(InventoryItem.id == item_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).first()

    async def lock_items(self, item_ids: set[UUID]) -> None:
        """Lock several items in id order, so two batches naming the same items never
        deadlock whatever order their entries come in."""
        if item_ids:
            stmt = (
                select(InventoryItem.id)
                .where(
                    InventoryItem.organization_id == self.organization_id,
                    InventoryItem.id.in_(item_ids),
                )
                .order_by(InventoryItem.id)
                .with_for_update()
            )
            await self.session.execute(stmt)

    async def find_active_item(self, item_id: UUID | None, code: str) -> InventoryItem | None:
        """A desk entry's active item: by id when it names one, else by the exact code
        (any case), barcode before serial number before asset tag."""
        active = self.scoped().where(InventoryItem.active.is_(True))
        if item_id is not None:
            by_id = (await self.session.scalars(active.where(InventoryItem.id == item_id))).first()
            if by_id is not None:
                return by_id
        key = code.strip().lower()
        if not key:
            return None
        for column in CODE_KEYS:
            found = (await self.session.scalars(active.where(column == key).limit(1))).first()
            if found is not None:
                return found
        return None

    async def active_member_name(self, user_id: UUID) -> str | None:
        """ "First Last" (else the username) of an active member of the organization, else None."""
        stmt = select(User.first_name, User.last_name, User.username).where(
            User.organization_id == self.organization_id,
            User.id == user_id,
            User.status == MemberStatus.ACTIVE,
            User.deleted_at.is_(None),
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else display_name(*row)

    async def lock_members(self, user_ids: set[UUID]) -> None:
        """Lock the members' rows in id order (after the items): their returns then run one at
        a time, so each counts what the one before left (`holdings`)."""
        stmt = (
            select(User.id)
            .where(User.organization_id == self.organization_id, User.id.in_(user_ids))
            .order_by(User.id)
            .with_for_update()
        )
        await self.session.execute(stmt)

    async def holdings(self, user_id: UUID) -> int:
        """Records the member still holds: active assignments, open checkouts and issuances.

        Locking reads, which see the latest commits: a plain read would see the transaction's
        snapshot, taken before a concurrent return of the member's committed.
        """
        org = self.organization_id
        counts = [
            select(func.count())
            .select_from(ItemAssignment)
            .where(
                ItemAssignment.organization_id == org,
                ItemAssignment.user_id == user_id,
                ItemAssignment.is_active.is_(True),
            ),
            select(func.count())
            .select_from(CheckoutRecord)
            .where(
                CheckoutRecord.organization_id == org,
                CheckoutRecord.user_id == user_id,
                CheckoutRecord.is_returned.is_(False),
            ),
            select(func.count())
            .select_from(ItemIssuance)
            .where(
                ItemIssuance.organization_id == org,
                ItemIssuance.user_id == user_id,
                ItemIssuance.is_returned.is_(False),
            ),
        ]
        locked = [count.with_for_update(read=True) for count in counts]
        return sum([int(await self.session.scalar(count) or 0) for count in locked])

    async def add(self, row: ItemAssignment | ItemIssuance | CheckoutRecord) -> None:
        """Insert a holder record; a second active assignment or open checkout of the item
        raises `ClashError` (the unique keys are the backstop of §5.4)."""
        async with guarded(self.session):
            self.session.add(row)

    def savepoint(self) -> AsyncSessionTransaction:
        """A savepoint of the request's transaction: an error inside undoes only its writes."""
        return self.session.begin_nested()

    async def write(self) -> None:
        """Write the changes staged on loaded rows (the locked item)."""
        await self.session.flush()

    # Assignments

    async def lock_active_assignment(self, item_id: UUID) -> ItemAssignment | None:
        """The item's active assignment, locked (after the item: lock order, §5.1)."""
        stmt = (
            select(ItemAssignment)
            .where(
                ItemAssignment.organization_id == self.organization_id,
                ItemAssignment.item_id == item_id,
                ItemAssignment.is_active.is_(True),
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).first()

    async def close_assignment(self, assignment: ItemAssignment, **values: Any) -> bool:
        """End the assignment if it is still active; False when another request ended it."""
        stmt = (
            update(ItemAssignment)
            .where(ItemAssignment.id == assignment.id, ItemAssignment.is_active.is_(True))
            .values(is_active=False, active_item_id=None, **values)
        )
        return await self._changed_one(stmt, assignment)

    # Issuances

    async def take_units(self, item: InventoryItem, quantity: int) -> bool:
        """Move `quantity` units from on hand to issued, only if that many are on hand (§5.2)."""
        stmt = (
            update(InventoryItem)
            .where(InventoryItem.id == item.id, InventoryItem.quantity >= quantity)
            .values(
                quantity=InventoryItem.quantity - quantity,
                quantity_issued=InventoryItem.quantity_issued + quantity,
            )
        )
        return await self._changed_one(stmt, item)

    async def issuance(self, issuance_id: UUID) -> ItemIssuance | None:
        """An issuance, unlocked: only to learn which item to lock first."""
        stmt = select(ItemIssuance).where(
            ItemIssuance.organization_id == self.organization_id, ItemIssuance.id == issuance_id
        )
        return (await self.session.scalars(stmt)).first()

    async def lock_issuance(self, issuance_id: UUID) -> ItemIssuance:
        """The issuance read again and locked, once its item is locked."""
        stmt = (
            select(ItemIssuance)
            .where(ItemIssuance.id == issuance_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).one()

    async def newest_open_issuance(self, item_id: UUID, user_id: UUID) -> ItemIssuance | None:
        """The member's most recent open issuance of the item, locked."""
        stmt = (
            select(ItemIssuance)
            .where(
                ItemIssuance.organization_id == self.organization_id,
                ItemIssuance.item_id == item_id,
                ItemIssuance.user_id == user_id,
                ItemIssuance.is_returned.is_(False),
            )
            .order_by(ItemIssuance.issued_at.desc(), ItemIssuance.id.desc())
            .limit(1)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).first()

    async def return_units(self, issuance: ItemIssuance, outstanding: int, **values: Any) -> bool:
        """Close the issuance (all `outstanding` units back) if it is still open with exactly
        that many out; False when another return got there first."""
        stmt = (
            update(ItemIssuance)
            .where(
                ItemIssuance.id == issuance.id,
                ItemIssuance.is_returned.is_(False),
                ItemIssuance.quantity_issued == outstanding,
            )
            .values(is_returned=True, **values)
        )
        return await self._changed_one(stmt, issuance)

    async def return_some_units(
        self, issuance: ItemIssuance, quantity: int, return_notes: str
    ) -> bool:
        """Lower an open issuance by `quantity`, leaving at least one unit out."""
        stmt = (
            update(ItemIssuance)
            .where(
                ItemIssuance.id == issuance.id,
                ItemIssuance.is_returned.is_(False),
                ItemIssuance.quantity_issued > quantity,
            )
            .values(
                quantity_issued=ItemIssuance.quantity_issued - quantity, return_notes=return_notes
            )
        )
        return await self._changed_one(stmt, issuance)

    # Checkouts

    async def checkout(self, checkout_id: UUID) -> CheckoutRecord | None:
        """A checkout, unlocked: only to learn which item to lock first (or to extend it)."""
        stmt = select(CheckoutRecord).where(
            CheckoutRecord.organization_id == self.organization_id,
            CheckoutRecord.id == checkout_id,
        )
        return (await self.session.scalars(stmt)).first()

    async def lock_checkout(self, checkout_id: UUID) -> CheckoutRecord:
        """The checkout read again and locked, once its item is locked."""
        stmt = (
            select(CheckoutRecord)
            .where(CheckoutRecord.id == checkout_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).one()

    async def lock_open_checkout(self, item_id: UUID) -> CheckoutRecord | None:
        """The item's open checkout, locked."""
        stmt = (
            select(CheckoutRecord)
            .where(
                CheckoutRecord.organization_id == self.organization_id,
                CheckoutRecord.item_id == item_id,
                CheckoutRecord.is_returned.is_(False),
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).first()

    async def close_checkout(self, record: CheckoutRecord, **values: Any) -> bool:
        """Check the record in if it is still open; False when another check-in won."""
        stmt = (
            update(CheckoutRecord)
            .where(CheckoutRecord.id == record.id, CheckoutRecord.is_returned.is_(False))
            .values(is_returned=True, open_item_id=None, is_overdue=False, **values)
        )
        return await self._changed_one(stmt, record)

    async def extend_checkout(self, record: CheckoutRecord, until: datetime) -> bool:
        """Move the due time of a still-open checkout."""
        stmt = (
            update(CheckoutRecord)
            .where(CheckoutRecord.id == record.id, CheckoutRecord.is_returned.is_(False))
            .values(expected_return_at=until)
        )
        return await self._changed_one(stmt, record)

    async def _changed_one(
        self, stmt: Any, row: InventoryItem | ItemAssignment | ItemIssuance | CheckoutRecord
    ) -> bool:
        """Run a conditional UPDATE of `row`; on a match, read the row back (locked, so the
        latest version) so the caller sees what it wrote."""
        result = await self.session.execute(stmt, execution_options={"synchronize_session": False})
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        await self.session.refresh(row, with_for_update=True)
        return True
