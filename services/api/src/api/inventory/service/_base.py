"""The inventory service's fields and what its topics share: lookups that 404, audit, events."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from api.audit.trail import AuditTrail
from api.inventory.errors import CategoryNotFoundError, ItemNotFoundError
from api.inventory.lookup_index import OrganizationCodes
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
from shared.events.envelope import EventData
from shared.events.outbox import Outbox
from shared.models import InventoryCategory, InventoryItem
from shared.principal import Principal

AUDIT_CATEGORY = "inventory"


@dataclass
class InventoryServiceBase:
    """One request's caller, repositories, audit trail and outbox, all in its transaction."""

    principal: Principal
    categories: CategoryRepository
    items: ItemRepository
    holders: HolderRepository
    areas: StorageAreaRepository
    counters: CounterRepository
    references: ReferenceRepository
    figures: FigureRepository
    flows: FlowRepository
    flow_lists: FlowListRepository
    audit: AuditTrail
    outbox: Outbox
    codes: OrganizationCodes

    def _publish(self, data: EventData) -> None:
        """Queue an event in the request's transaction, on behalf of the caller; once it
        commits, this instance's scan index drops what the event says changed."""
        self.outbox.add(
            data, organization_id=self.principal.organization_id, actor_id=self.principal.user_id
        )
        self.codes.published(data)

    async def _record(self, event_type: str, **data: Any) -> None:
        """An audit entry of the inventory category for this request's caller."""
        await self.audit.record(event_type, AUDIT_CATEGORY, "info", **data)

    async def _category(self, category_id: UUID) -> InventoryCategory:
        found = await self.categories.get(category_id)
        if found is None:
            raise CategoryNotFoundError
        return found

    async def _item(self, item_id: UUID) -> InventoryItem:
        found = await self.items.get(item_id)
        if found is None:
            raise ItemNotFoundError
        return found

    async def _locked_item(self, item_id: UUID) -> InventoryItem:
        """The item locked until commit: taken first by every change (lock order, §5.1)."""
        found = await self.items.get_for_update(item_id)
        if found is None:
            raise ItemNotFoundError
        return found
