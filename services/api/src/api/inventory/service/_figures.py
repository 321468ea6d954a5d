"""Dashboard figures and members' holdings (spec inventory.md §6.7, §6.8); overdue is live."""

from datetime import timedelta
from uuid import UUID

import msgspec

from api.inventory.repository import MemberCounts
from api.inventory.schemas import (
    AssignedItem,
    CheckedOutItem,
    InventorySummary,
    IssuedItem,
    LocationSummary,
    LowStockCategory,
    LowStockItem,
    MemberInventory,
    MemberInventoryCounts,
    MembersSummary,
)
from api.inventory.service._base import InventoryServiceBase
from shared.auth_errors import PermissionDeniedError
from shared.db.types import utc_now
from shared.permissions import grants, grants_any

# Who sees the organization's figures rather than only what they hold themselves (§1).
ADMINS = ("inventory.manage", "settings.manage")
MAINTENANCE_HORIZON = timedelta(days=7)
NO_LOCATION = "Unassigned"


def _member_counts(row: MemberCounts) -> MemberInventoryCounts:
    parts = (row.first_name, row.middle_name, row.last_name)
    return MemberInventoryCounts(
        user_id=row.user_id,
        username=row.username,
        first_name=row.first_name,
        last_name=row.last_name,
        full_name=" ".join(part for part in parts if part),
        membership_number=row.membership_number,
        permanent_count=row.assigned,
        checkout_count=row.checked_out,
        issued_count=row.issued_units,
        overdue_count=row.overdue,
        total_items=row.assigned + row.checked_out + row.issued_units,
    )


class FigureReading(InventoryServiceBase):
    """Figures of the admin hub and dashboard, and what one member holds."""

    @property
    def _is_admin(self) -> bool:
        return grants_any(self.principal.permissions, ADMINS)

    async def summary(self) -> InventorySummary:
        """Org-wide totals for admins; for anyone else, the items they hold or borrowed."""
        holder = None if self._is_admin else self.principal.user_id
        now = utc_now()
        totals = await self.figures.item_totals(
            holder=holder, due_by=(now + MAINTENANCE_HORIZON).date()
        )
        active, late = await self.figures.checkout_counts(holder=holder, now=now)
        return InventorySummary(
            total_items=totals.units,
            items_by_status={status.value: n for status, n in totals.by_status.items()},
            items_by_condition={state.value: n for state, n in totals.by_condition.items()},
            total_value=totals.value,
            active_checkouts=active,
            overdue_checkouts=late,
            maintenance_due_count=totals.maintenance_due,
        )

    async def summary_by_location(self) -> list[LocationSummary]:
        """Active items per location for admins (none for anyone else)."""
        if not self._is_admin:
            return []
        return [
            LocationSummary(
                location_id=row.location_id,
                location_name=row.location_name if row.location_id else NO_LOCATION,
                item_count=row.item_count,
                total_quantity=row.units,
                total_value=row.value,
            )
            for row in await self.figures.by_location()
        ]

    async def low_stock(self) -> list[LowStockCategory]:
        """Categories at or below their threshold, for admins (none for anyone else)."""
        if not self._is_admin:
            return []
        return [
            LowStockCategory(
                category_id=row.category_id,
                category_name=row.category_name,
                item_type=row.item_type,
                current_stock=row.stock,
                threshold=row.threshold,
                items=[LowStockItem(name, quantity) for name, quantity in row.items],
            )
            for row in await self.figures.low_stock()
        ]

    async def members_summary(self, search: str | None) -> MembersSummary:
        """Every active member matching `search`, with what they hold."""
        rows = await self.figures.member_counts(search=search, now=utc_now())
        members = [_member_counts(row) for row in rows]
        return MembersSummary(members=members, total=len(members))

    async def member_inventory(self, user_id: UUID) -> MemberInventory:
        """What the member holds: the caller themself, or anyone with `inventory.view` (403).

        An unknown or foreign member holds nothing here, so the answer is no existence oracle.
        """
        if user_id != self.principal.user_id and not grants(
            self.principal.permissions, "inventory.view"
        ):
            raise PermissionDeniedError
        assignments = await self.figures.assignments_of(user_id)
        checkouts = await self.figures.checkouts_of(user_id, now=utc_now())
        issuances = await self.figures.issuances_of(user_id)
        return MemberInventory(
            permanent_assignments=[
                msgspec.convert(row, AssignedItem, from_attributes=True) for row in assignments
            ],
            active_checkouts=[
                msgspec.convert(row, CheckedOutItem, from_attributes=True) for row in checkouts
            ],
            issued_items=[
                msgspec.convert(row, IssuedItem, from_attributes=True) for row in issuances
            ],
        )
