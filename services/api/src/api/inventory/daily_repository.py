"""The SQL of inventory's daily jobs: items at their reorder point, checkouts due or overdue."""

from datetime import datetime
from typing import NamedTuple, cast
from uuid import UUID

from sqlalchemy import select, update

from shared.db.repository import TenantRepository
from shared.models import CheckoutRecord, InventoryItem, TrackingType


class DueRow(NamedTuple):
    """An open checkout with a due time, and its item's name."""

    user_id: UUID
    checkout_id: UUID
    item_id: UUID
    item_name: str
    expected_return_at: datetime


class DailyRepository(TenantRepository[InventoryItem]):
    """What the daily jobs read and refresh for one organization."""

    model = InventoryItem

    async def at_reorder_point(self) -> list[InventoryItem]:
        """Active items with a reorder point and no more units on hand than it, by name."""
        stmt = (
            self.scoped()
            .where(
                InventoryItem.active.is_(True),
                InventoryItem.reorder_point.is_not(None),
                InventoryItem.quantity <= InventoryItem.reorder_point,
                # An individual item on loan has no units "on hand" to reorder.
                InventoryItem.tracking_type == TrackingType.POOL,
            )
            .order_by(InventoryItem.name)
        )
        return list((await self.session.scalars(stmt)).all())

    async def mark_overdue(self, now: datetime) -> None:
        """Refresh the stored flag of open checkouts (§5.9: reads derive it live regardless)."""
        for overdue in (True, False):
            due = CheckoutRecord.expected_return_at < now
            await self.session.execute(
                update(CheckoutRecord)
                .where(
                    CheckoutRecord.organization_id == self.organization_id,
                    CheckoutRecord.is_returned.is_(False),
                    CheckoutRecord.is_overdue.is_not(overdue),
                    due if overdue else ~due,
                )
                .values(is_overdue=overdue)
                .execution_options(synchronize_session=False)
            )

    async def open_checkouts_due(self, after: datetime | None, before: datetime) -> list[DueRow]:
        """Open checkouts due before `before` (at or after `after`), by borrower, soonest first."""
        stmt = (
            select(
                CheckoutRecord.user_id,
                CheckoutRecord.id,
                CheckoutRecord.item_id,
                InventoryItem.name,
                CheckoutRecord.expected_return_at,
            )
            .join(InventoryItem, InventoryItem.id == CheckoutRecord.item_id)
            .where(
                CheckoutRecord.organization_id == self.organization_id,
                CheckoutRecord.is_returned.is_(False),
                CheckoutRecord.expected_return_at < before,
            )
            .order_by(CheckoutRecord.user_id, CheckoutRecord.expected_return_at)
        )
        if after is not None:
            stmt = stmt.where(CheckoutRecord.expected_return_at >= after)
        # The comparison above leaves out checkouts without a due time.
        return [
            DueRow(*cast("tuple[UUID, UUID, UUID, str, datetime]", tuple(row)))
            for row in await self.session.execute(stmt)
        ]
