"""Assignment routes (spec inventory.md §6.3 #12, #13)."""

from uuid import UUID

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.inventory.deps import INVENTORY_DEPENDENCIES
from api.inventory.permissions import INVENTORY_MANAGE
from api.inventory.schemas import AssignmentRead, AssignRequest, Message, UnassignRequest
from api.inventory.service import InventoryService
from shared.errors import documented_error

NOT_ASSIGNABLE = documented_error(
    "A pool item, an item not available or assigned, or one the member already holds"
)
NOT_ASSIGNED = documented_error("The item is not assigned")


class AssignmentController(Controller):
    """Individual items given to members until they come back."""

    path = "/items"
    dependencies = INVENTORY_DEPENDENCIES

    @post(
        "/{item_id:str}/assign",
        status_code=200,
        responses={409: NOT_ASSIGNABLE},
        guards=[INVENTORY_MANAGE],
    )
    async def assign_item(
        self,
        item_id: FromPath[UUID],
        data: JSONBody[AssignRequest],
        inventory: NamedDependency[InventoryService],
    ) -> AssignmentRead:
        """Assign the item to a member, taking it from its current holder if any."""
        return await inventory.assign(item_id, data)

    @post(
        "/{item_id:str}/unassign",
        status_code=200,
        responses={409: NOT_ASSIGNED},
        guards=[INVENTORY_MANAGE],
    )
    async def unassign_item(
        self,
        item_id: FromPath[UUID],
        data: JSONBody[UnassignRequest],
        inventory: NamedDependency[InventoryService],
    ) -> Message:
        """Take the item back; poor or damaged sends it to maintenance."""
        await inventory.unassign(item_id, data)
        return Message(message="Item unassigned")
