"""What a member holds of the department's inventory, read for membership (read-only).

The members area reads the inventory tables itself rather than importing the inventory area:
the areas stay independent, and these reads are all membership needs of them (deletion
impact, the property-return report of a drop, the auto-archive once everything is back).
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, func, literal, select, union_all
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.deadlock import driver_error_number
from shared.models import CheckoutRecord, InventoryItem, ItemAssignment, ItemIssuance


@dataclass(frozen=True)
class Holding:
    """One record of something out with the member: an item, or issued units of a pool item."""

    quantity: int
    unit_value: Decimal  # 0 when the item has no value on record


# MariaDB's answer to a NOWAIT read of a row another transaction has locked.
LOCK_NOT_AVAILABLE = 1205


class HoldingsChangingError(Exception):
    """Another transaction is changing the member's records right now: ask again later."""


Holder = type[ItemAssignment] | type[CheckoutRecord] | type[ItemIssuance]
# Each holder table with the condition that keeps its record open (held now).
HOLDER_TABLES: tuple[tuple[Holder, ColumnElement[bool]], ...] = (
    (ItemAssignment, ItemAssignment.is_active.is_(True)),
    (CheckoutRecord, CheckoutRecord.is_returned.is_(False)),
    (ItemIssuance, ItemIssuance.is_returned.is_(False)),
)


class HoldingsRepository:
    """Assignments, checkouts and issuances of members of one organization."""

    def __init__(self, session: AsyncSession, organization_id: UUID) -> None:
        self.session = session
        self.organization_id = organization_id

    async def records(self, user_id: UUID) -> int:
        """Every holder record of the member, open or closed: what a hard delete would take
        with them (the records go with the member's row)."""
        counts = [
            select(func.count()).select_from(model).where(*self._of(model, user_id))
            for model, _ in HOLDER_TABLES
        ]
        return sum([int(await self.session.scalar(count) or 0) for count in counts])

    async def held_count(self, user_id: UUID) -> int:
        """Records the member holds now, counted with locking reads that never wait.

        A locking read sees the latest commits (a plain one sees the transaction's snapshot,
        which may predate them). It must not wait: the caller holds the member's row, and a
        return in progress holds its record while it waits for that row, so waiting here would
        close a circle. A record another transaction has locked raises `HoldingsChangingError`.
        """
        counts = [
            select(func.count())
            .select_from(model)
            .where(*self._of(model, user_id), is_open)
            .with_for_update(read=True, nowait=True)
            for model, is_open in HOLDER_TABLES
        ]
        try:
            return sum([int(await self.session.scalar(count) or 0) for count in counts])
        except OperationalError as exc:
            if driver_error_number(exc) == LOCK_NOT_AVAILABLE:
                raise HoldingsChangingError from exc
            raise

    async def held(self, user_id: UUID) -> list[Holding]:
        """What the member holds now, one entry per open record, with its value per unit."""
        item_value = func.coalesce(InventoryItem.current_value, InventoryItem.purchase_price, 0)
        # A pool unit is worth what it cost when issued, else what the item is worth now.
        unit_value = func.coalesce(ItemIssuance.unit_cost_at_issuance, item_value)
        quantities = (literal(1), literal(1), ItemIssuance.quantity_issued)
        values = (item_value, item_value, unit_value)
        parts: list[Select[Any, Any]] = [
            select(quantity.label("quantity"), value.label("value"))
            .select_from(model)
            .join(InventoryItem, InventoryItem.id == model.item_id)
            .where(*self._of(model, user_id), is_open)
            for (model, is_open), quantity, value in zip(
                HOLDER_TABLES, quantities, values, strict=True
            )
        ]
        rows = (await self.session.execute(select(union_all(*parts).subquery()))).all()
        return [
            Holding(quantity=int(row.quantity), unit_value=Decimal(str(row.value))) for row in rows
        ]

    def _of(self, model: Holder, user_id: UUID) -> tuple[Any, ...]:
        return (model.organization_id == self.organization_id, model.user_id == user_id)
