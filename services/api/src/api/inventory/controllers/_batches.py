"""The desk's batch routes (spec inventory.md §6.6 #24, #25)."""

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from api.inventory.deps import INVENTORY_DEPENDENCIES
from api.inventory.permissions import INVENTORY_MANAGE
from api.inventory.schemas import BatchCheckoutRequest, BatchRead, BatchReturnRequest
from api.inventory.service import InventoryService


class BatchController(Controller):
    """Scan several items out to, or back from, one member; entries succeed one by one."""

    path = "/"
    dependencies = INVENTORY_DEPENDENCIES

    @post("/batch-checkout", status_code=200, guards=[INVENTORY_MANAGE])
    async def batch_checkout(
        self, data: JSONBody[BatchCheckoutRequest], inventory: NamedDependency[InventoryService]
    ) -> BatchRead:
        """Issue pool items and assign available individual items to the member."""
        return await inventory.batch_checkout(data)

    @post("/batch-return", status_code=200, guards=[INVENTORY_MANAGE])
    async def batch_return(
        self, data: JSONBody[BatchReturnRequest], inventory: NamedDependency[InventoryService]
    ) -> BatchRead:
        """Take back what the member holds: assignments, checkouts, issued units."""
        return await inventory.batch_return(data)
