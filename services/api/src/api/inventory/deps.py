"""Dependencies of the inventory controllers: the inventory service of each request."""

from functools import partial
from uuid import UUID

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.audit.trail import AuditTrail
from api.deps import COMMON_DEPENDENCIES
from api.inventory.lookup_index import OrganizationCodes, Values
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
from shared.db.on_commit import on_commit
from shared.events.outbox import Outbox
from shared.principal import Principal


async def lookup_values_apart(
    sessionmaker: async_sessionmaker[AsyncSession], organization_id: UUID
) -> list[tuple[UUID, Values]]:
    """The scan index's rows, read in a session of its own: other scans may share the load."""
    async with sessionmaker() as session:
        return await ItemRepository(session, organization_id).lookup_values()


def provide_inventory_service(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    audit: NamedDependency[AuditTrail],
) -> InventoryService:
    """The caller's inventory, in the request's transaction, with its audit trail and outbox."""
    org = principal.organization_id
    state = request.app.state
    codes = OrganizationCodes(
        indexes=state.inventory_codes,
        organization_id=org,
        load=partial(lookup_values_apart, state.sessionmaker, org),
        after_commit=partial(on_commit, db_session),
    )
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
        codes=codes,
    )


INVENTORY_DEPENDENCIES = {
    **COMMON_DEPENDENCIES,
    "inventory": Provide(provide_inventory_service, sync_to_thread=False),
}
