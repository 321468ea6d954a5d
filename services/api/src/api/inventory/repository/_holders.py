"""Who holds an item: its assignments, checkouts and issuances (written by the flows)."""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func, select

from shared.db.repository import TenantRepository
from shared.models import CheckoutRecord, ItemAssignment, ItemIssuance


@dataclass(frozen=True)
class Holds:
    """What is still out of one item: an assignment, a checkout, issued units."""

    assigned: bool
    checked_out: bool
    issued_units: int

    @property
    def any(self) -> bool:
        """Whether anyone holds any of it."""
        return self.assigned or self.checked_out or self.issued_units > 0


class HolderRepository(TenantRepository[ItemAssignment]):
    """The holder records of the caller's organization's items."""

    model = ItemAssignment

    async def holds(self, item_id: UUID) -> Holds:
        """The item's active assignment, open checkout and open issuances, read now."""
        org = self.organization_id
        assigned = select(func.count()).where(
            ItemAssignment.organization_id == org,
            ItemAssignment.item_id == item_id,
            ItemAssignment.is_active.is_(True),
        )
        checked_out = select(func.count()).where(
            CheckoutRecord.organization_id == org,
            CheckoutRecord.item_id == item_id,
            CheckoutRecord.is_returned.is_(False),
        )
        issued = select(func.coalesce(func.sum(ItemIssuance.quantity_issued), 0)).where(
            ItemIssuance.organization_id == org,
            ItemIssuance.item_id == item_id,
            ItemIssuance.is_returned.is_(False),
        )
        return Holds(
            assigned=bool(await self.session.scalar(assigned)),
            checked_out=bool(await self.session.scalar(checked_out)),
            issued_units=int(await self.session.scalar(issued) or 0),
        )

    async def assignments_of(self, item_id: UUID) -> Sequence[ItemAssignment]:
        """Every assignment of the item."""
        stmt = self.scoped().where(ItemAssignment.item_id == item_id)
        return (await self.session.scalars(stmt)).all()

    async def checkouts_of(self, item_id: UUID) -> Sequence[CheckoutRecord]:
        """Every checkout of the item."""
        stmt = select(CheckoutRecord).where(
            CheckoutRecord.organization_id == self.organization_id,
            CheckoutRecord.item_id == item_id,
        )
        return (await self.session.scalars(stmt)).all()

    async def issuances_of(self, item_id: UUID) -> Sequence[ItemIssuance]:
        """Every issuance of the item."""
        stmt = select(ItemIssuance).where(
            ItemIssuance.organization_id == self.organization_id,
            ItemIssuance.item_id == item_id,
        )
        return (await self.session.scalars(stmt)).all()
