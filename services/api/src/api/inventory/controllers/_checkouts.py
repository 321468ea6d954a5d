"""Checkout routes (spec inventory.md §6.5 #18 to #22)."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.inventory.deps import INVENTORY_DEPENDENCIES
from api.inventory.permissions import INVENTORY_MANAGE, INVENTORY_VIEW, signed_in
from api.inventory.schemas import (
    CheckinRequest,
    CheckoutCreate,
    CheckoutPage,
    CheckoutRead,
    ExtendRead,
    ExtendRequest,
    Message,
)
from api.inventory.service import InventoryService
from shared.errors import documented_error
from shared.types import Skip, row_limit

Limit = Annotated[int, row_limit(200)]
ALREADY_RETURNED = documented_error("The checkout was already returned")
Borrower = Annotated[UUID | None, QueryParameter(description="Only this member's checkouts")]


class CheckoutController(Controller):
    """Temporary loans of individual items."""

    path = "/checkout"
    dependencies = INVENTORY_DEPENDENCIES

    @post(
        "/",
        status_code=201,
        guards=[INVENTORY_MANAGE],
        responses={
            404: documented_error("No such item in the caller's organization"),
            409: documented_error("A pool item, or an item that is not available"),
        },
    )
    async def check_out(
        self, data: JSONBody[CheckoutCreate], inventory: NamedDependency[InventoryService]
    ) -> CheckoutRead:
        """Lend an available individual item to a member."""
        return await inventory.check_out(data)

    @post(
        "/{checkout_id:str}/checkin",
        status_code=200,
        guards=[INVENTORY_MANAGE],
        responses={409: ALREADY_RETURNED},
    )
    async def check_in(
        self,
        checkout_id: FromPath[UUID],
        data: JSONBody[CheckinRequest],
        inventory: NamedDependency[InventoryService],
    ) -> Message:
        """Close a checkout; the item takes the returned condition."""
        await inventory.check_in(checkout_id, data)
        return Message(message="Item checked in")

    @patch(
        "/{checkout_id:str}/extend",
        guards=[signed_in],
        responses={
            403: documented_error("Neither the borrower nor an inventory manager"),
            409: ALREADY_RETURNED,
        },
    )
    async def extend_checkout(
        self,
        checkout_id: FromPath[UUID],
        data: JSONBody[ExtendRequest],
        inventory: NamedDependency[InventoryService],
    ) -> ExtendRead:
        """Move a loan's due time (the borrower, or a manager), at most a year ahead."""
        due = await inventory.extend(checkout_id, data.expected_return_at)
        return ExtendRead(message="Checkout extended", expected_return_at=due)

    @get("/active", guards=[INVENTORY_VIEW])
    async def list_active_checkouts(
        self,
        inventory: NamedDependency[InventoryService],
        user_id: Borrower = None,
        skip: Skip = 0,
        limit: Limit = 50,
    ) -> CheckoutPage:
        """Open checkouts, newest first, with their true count."""
        return await inventory.open_checkouts(user_id=user_id, skip=skip, limit=limit)

    @get("/overdue", guards=[INVENTORY_VIEW])
    async def list_overdue_checkouts(
        self, inventory: NamedDependency[InventoryService], skip: Skip = 0, limit: Limit = 50
    ) -> CheckoutPage:
        """Open checkouts past due now, the longest overdue first."""
        return await inventory.overdue_checkouts(skip=skip, limit=limit)
