"""Dependencies of the inventory controllers: the inventory service of each request."""

from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.trail import AuditTrail
from api.deps import COMMON_DEPENDENCIES
from api.inventory.repository import (
    CategoryRepository,
    CounterRepository,
    FigureRepository,
    FlowListRepository,
    FlowRepository,
    HolderRepository,
    ItemRepository,
    ReferenceRepository,
    StorageAreaRepository,
)
from api.inventory.service import InventoryService
from shared.events.outbox import Outbox
from shared.principal import Principal


def provide_inventory_service(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    audit: NamedDependency[AuditTrail],
) -> InventoryService:
    """The caller's inventory, in the request's transaction, with its audit trail and outbox."""
    org = principal.organization_id
    return InventoryService(
        principal=principal,
        categories=CategoryRepository(db_session, org),
        items=ItemRepository(db_session, org),
        holders=HolderRepository(db_session, org),
        areas=StorageAreaRepository(db_session, org),
        counters=CounterRepository(db_session, org),
        references=ReferenceRepository(db_session, org),
        figures=FigureRepository(db_session, org),
        flows=FlowRepository(db_session, org),
        flow_lists=FlowListRepository(db_session, org),
        audit=audit,
        outbox=Outbox(db_session),
    )


INVENTORY_DEPENDENCIES = {
    **COMMON_DEPENDENCIES,
    "inventory": Provide(provide_inventory_service, sync_to_thread=False),
}
