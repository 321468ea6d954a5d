"""Dashboard figures and a member's holdings (spec inventory.md §6.7 #26-#29, §6.8 #30)."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from api.inventory.deps import INVENTORY_DEPENDENCIES
from api.inventory.permissions import INVENTORY_VIEW, signed_in
from api.inventory.schemas import (
    InventorySummary,
    LocationSummary,
    LowStockCategory,
    MemberInventory,
    MembersSummary,
)
from api.inventory.service import InventoryService
from shared.errors import documented_error
from shared.types import line

Search = Annotated[
    str | None,
    QueryParameter(
        max_length=100,
        pattern=line(100).pattern,
        description="Part of a username, first or last name, or membership number",
    ),
]


class FiguresController(Controller):
    """Totals for the admin hub and dashboard; who holds what."""

    path = "/"
    dependencies = INVENTORY_DEPENDENCIES

    @get("/summary", guards=[INVENTORY_VIEW])
    async def get_summary(self, inventory: NamedDependency[InventoryService]) -> InventorySummary:
        """Item and checkout totals: org-wide for managers, else the caller's own holdings."""
        return await inventory.summary()

    @get("/summary/by-location", guards=[INVENTORY_VIEW])
    async def get_summary_by_location(
        self, inventory: NamedDependency[InventoryService]
    ) -> list[LocationSummary]:
        """Active items per location, most first, then those of no location (managers only)."""
        return await inventory.summary_by_location()

    @get("/low-stock", guards=[INVENTORY_VIEW])
    async def list_low_stock(
        self, inventory: NamedDependency[InventoryService]
    ) -> list[LowStockCategory]:
        """Categories at or below their low-stock threshold (managers only)."""
        return await inventory.low_stock()

    @get("/members-summary", guards=[INVENTORY_VIEW])
    async def get_members_summary(
        self, inventory: NamedDependency[InventoryService], search: Search = None
    ) -> MembersSummary:
        """Every active member with their assigned, borrowed, issued and overdue counts."""
        return await inventory.members_summary(search)

    @get(
        "/users/{user_id:str}/inventory",
        guards=[signed_in],
        responses={403: documented_error("Insufficient permissions")},
    )
    async def get_member_inventory(
        self, user_id: FromPath[UUID], inventory: NamedDependency[InventoryService]
    ) -> MemberInventory:
        """What the member holds now (the caller's own, or anyone's with `inventory.view`)."""
        return await inventory.member_inventory(user_id)
