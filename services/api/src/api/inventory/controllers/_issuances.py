"""Pool issuance routes (spec inventory.md §6.4 #14 to #17)."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.inventory.deps import INVENTORY_DEPENDENCIES
from api.inventory.permissions import INVENTORY_MANAGE, INVENTORY_VIEW
from api.inventory.schemas import IssuanceRead, IssueRequest, Message, PoolReturnRequest
from api.inventory.service import InventoryService
from shared.errors import documented_error
from shared.types import Skip, row_limit

Limit = Annotated[int, row_limit(200)]
ActiveOnly = Annotated[bool, QueryParameter(description="Only issuances still out")]


class IssuanceController(Controller):
    """Units of pool items issued to members, and returned."""

    path = "/"
    dependencies = INVENTORY_DEPENDENCIES

    @post(
        "/items/{item_id:str}/issue",
        status_code=201,
        guards=[INVENTORY_MANAGE],
        responses={
            409: documented_error("Not a pool item, retired, or fewer units on hand than asked")
        },
    )
    async def issue_units(
        self,
        item_id: FromPath[UUID],
        data: JSONBody[IssueRequest],
        inventory: NamedDependency[InventoryService],
    ) -> IssuanceRead:
        """Issue units of a pool item to a member."""
        return await inventory.issue(item_id, data)

    @post(
        "/issuances/{issuance_id:str}/return",
        status_code=200,
        guards=[INVENTORY_MANAGE],
        responses={409: documented_error("Already returned, or more units than are out")},
    )
    async def return_units(
        self,
        issuance_id: FromPath[UUID],
        data: JSONBody[PoolReturnRequest],
        inventory: NamedDependency[InventoryService],
    ) -> Message:
        """Put issued units back on hand: all that are out, or `quantity_returned`."""
        returned = await inventory.return_issuance(issuance_id, data)
        return Message(message=f"Returned {returned} unit(s) to stock")

    @get("/items/{item_id:str}/issuances", guards=[INVENTORY_VIEW])
    async def list_item_issuances(
        self,
        item_id: FromPath[UUID],
        inventory: NamedDependency[InventoryService],
        active_only: ActiveOnly = True,
        skip: Skip = 0,
        limit: Limit = 50,
    ) -> list[IssuanceRead]:
        """The item's issuances, newest first."""
        return await inventory.item_issuances(
            item_id, active_only=active_only, skip=skip, limit=limit
        )

    @get("/users/{user_id:str}/issuances", guards=[INVENTORY_VIEW])
    async def list_member_issuances(
        self,
        user_id: FromPath[UUID],
        inventory: NamedDependency[InventoryService],
        active_only: ActiveOnly = True,
        skip: Skip = 0,
        limit: Limit = 50,
    ) -> list[IssuanceRead]:
        """The member's issuances, newest first (none for a member not of the organization)."""
        return await inventory.member_issuances(
            user_id, active_only=active_only, skip=skip, limit=limit
        )
