"""Inventory's daily jobs (spec inventory.md §8), on the shared scheduled-work facility.

Each runs once per organization and local day however many api instances tick
(`shared.scheduled`), at the department's local 07:00 and 07:30. They only publish events; the
notification consumers turn them into inbox entries and e-mail.
"""

from datetime import date, datetime, time, timedelta
from itertools import groupby
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from api.inventory.daily_repository import DailyRepository
from shared.events.contracts.inventory import (
    CheckoutsDueSoon,
    CheckoutsOverdue,
    DueCheckout,
    LowStockItem,
    StockLow,
)
from shared.events.outbox import Outbox
from shared.scheduled.daily import daily_per_organization

DUE_SOON = timedelta(days=1)


async def report_low_stock(
    session: AsyncSession, organization_id: UUID, _day: date, _now: datetime
) -> None:
    """One event listing the organization's pool items at or below their reorder point."""
    items = await DailyRepository(session, organization_id).at_reorder_point()
    if not items:
        return
    low = [
        LowStockItem(
            item_id=item.id,
            item_name=item.name,
            on_hand=item.quantity,
            reorder_point=item.reorder_point or 0,
        )
        for item in items
    ]
    Outbox(session).add(StockLow(items=low), organization_id=organization_id, actor_id=None)


async def remind_checkouts_due(
    session: AsyncSession, organization_id: UUID, _day: date, now: datetime
) -> None:
    """Refresh the overdue flags; tell each borrower what is overdue and what is due tomorrow."""
    repository = DailyRepository(session, organization_id)
    await repository.mark_overdue(now)
    outbox = Outbox(session)
    for event, after, before in (
        (CheckoutsOverdue, None, now),
        (CheckoutsDueSoon, now, now + DUE_SOON),
    ):
        rows = await repository.open_checkouts_due(after, before)
        for user_id, held in groupby(rows, key=lambda row: row.user_id):
            checkouts = [
                DueCheckout(
                    checkout_id=row.checkout_id,
                    item_id=row.item_id,
                    item_name=row.item_name,
                    expected_return_at=row.expected_return_at,
                )
                for row in held
            ]
            outbox.add(
                event(user_id=user_id, checkouts=checkouts),
                organization_id=organization_id,
                actor_id=None,
            )


DAILY_JOBS = (
    daily_per_organization("inventory.low_stock", time(7, 0), report_low_stock),
    daily_per_organization("inventory.checkouts_due", time(7, 30), remind_checkouts_due),
)
