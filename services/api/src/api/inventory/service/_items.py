"""Creating, editing and retiring items (spec inventory.md §6.2 #7, #9, #10; §4 transitions)."""

from typing import Any
from uuid import UUID

import msgspec

from api.inventory.errors import ItemStateError, PoolQuantityError, invalid_field
from api.inventory.schemas import ItemCreate, ItemUpdate
from api.inventory.service._rules import RETIRED_FIELDS, ItemRules, normalised
from shared.events.contracts.inventory import ItemCreated, ItemRetired, ItemUpdated
from shared.models import InventoryItem, ItemCondition, ItemStatus, TrackingType

# Statuses a PATCH may set on an item nobody holds; the others come from the flows.
FREE = frozenset(
    {ItemStatus.AVAILABLE, ItemStatus.IN_MAINTENANCE, ItemStatus.LOST, ItemStatus.STOLEN}
)
HELD = frozenset({ItemStatus.ASSIGNED, ItemStatus.CHECKED_OUT})


class ItemWriting(ItemRules):
    """Changes to items that are not holder flows."""

    async def create_item(self, request: ItemCreate) -> InventoryItem:
        """A new item; codes checked for clashes, a blank barcode generated."""
        fields = normalised(msgspec.structs.asdict(request))
        fields["status"] = ItemStatus(request.status)
        if request.condition is ItemCondition.RETIRED:
            raise invalid_field("condition")  # only retiring makes an item retired
        if request.tracking_type is TrackingType.POOL and request.quantity < 1:
            raise PoolQuantityError
        if request.tracking_type is TrackingType.INDIVIDUAL:
            fields["quantity"] = 1  # one physical unit, whatever was sent (§4)
        if fields["current_value"] is None:
            fields["current_value"] = fields["purchase_price"]
        category = await self._check_references(fields)
        if category is not None:
            self._check_requirements(
                category, fields["serial_number"], fields["inspection_interval_days"]
            )
        item = InventoryItem(
            organization_id=self.principal.organization_id, created_by=self.principal.user_id
        )
        await self._insert(item, fields)
        await self._record("inventory_item_created", item_id=str(item.id), item_name=item.name)
        self._publish(ItemCreated(item_id=item.id, item_name=item.name))
        return item

    async def update_item(self, item_id: UUID, request: ItemUpdate) -> InventoryItem:
        """Set the fields sent, under the item lock; status changes follow §4."""
        item = await self._locked_item(item_id)
        sent = {
            key: value
            for key, value in msgspec.structs.asdict(request).items()
            if value is not msgspec.UNSET
        }
        changes = await self._checked_changes(item, normalised(sent))
        changed = sorted(key for key, value in changes.items() if getattr(item, key) != value)
        retiring = item.active and changes.get("active") is False
        name = str(changes.get("name", item.name))
        await self._save(item, changes)
        if not changed:
            return item
        await self._record(
            "inventory_item_updated", item_id=str(item.id), item_name=name, fields_changed=changed
        )
        self._publish(ItemUpdated(item_id=item.id, item_name=name, changed_fields=changed))
        if retiring:
            await self._record("inventory_item_retired", item_id=str(item.id), item_name=name)
            self._publish(ItemRetired(item_id=item.id, item_name=name))
        return item

    async def retire_item(self, item_id: UUID, notes: str | None) -> None:
        """Retire an item nobody holds (§6.2 #10); it keeps its codes."""
        item = await self._locked_item(item_id)
        await self._refuse_retiring_held(item)
        fields = dict(RETIRED_FIELDS)
        if notes is not None:
            fields["status_notes"] = notes
        await self._save(item, fields)
        await self._record("inventory_item_retired", item_id=str(item.id), item_name=item.name)
        self._publish(ItemRetired(item_id=item.id, item_name=item.name))

    async def _checked_changes(
        self, item: InventoryItem, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """The fields to write, after the rules of §4 and §6.2 #9 (404/400/409/422 raised)."""
        changes = {**changes, **await self._status_changes(item, changes)}
        tracking = changes.get("tracking_type", item.tracking_type)
        if tracking is not item.tracking_type:
            holds = await self.holders.holds(item.id)
            if holds.any or item.status in HELD:
                raise ItemStateError("Tracking type cannot change while the item is held")
        if tracking is TrackingType.INDIVIDUAL:
            changes["quantity"] = 1
        if "purchase_price" in changes and "current_value" not in changes:
            changes["current_value"] = changes["purchase_price"]
        references = {key: value for key, value in changes.items() if key.endswith("_id")}
        if changes.get("category_id") == item.category_id:
            references.pop("category_id", None)  # an unchanged category is not re-checked
        category = await self._check_references(references)
        if category is not None:
            self._check_requirements(
                category,
                changes.get("serial_number", item.serial_number),
                changes.get("inspection_interval_days", item.inspection_interval_days),
            )
        return changes

    async def _status_changes(self, item: InventoryItem, changes: dict[str, Any]) -> dict[str, Any]:
        """Status, condition and active as §4 allows them: retire, restore or a free move."""
        status = changes.get("status", item.status)
        condition = changes.get("condition", item.condition)
        if not item.active:
            if changes.get("active") is not True:
                if status is not ItemStatus.RETIRED or condition is not ItemCondition.RETIRED:
                    raise invalid_field("active")  # restoring takes `active: true`
                return {}
            if status not in FREE:
                raise invalid_field("status")
            if condition is ItemCondition.RETIRED:
                raise invalid_field("condition")
            return {"status": status, "condition": condition, "active": True}
        if status is ItemStatus.RETIRED or changes.get("active") is False:
            await self._refuse_retiring_held(item)
            return dict(RETIRED_FIELDS)
        if condition is ItemCondition.RETIRED:
            raise invalid_field("condition")  # only retiring makes an item retired
        if status is item.status:
            return {}
        if status in HELD:
            raise ItemStateError(f"An item becomes {status} only by being {_flow(status)}")
        holds = await self.holders.holds(item.id)  # issued pool units hold no item status
        if item.status in HELD or holds.assigned or holds.checked_out:
            raise ItemStateError(f"Item is {item.status}; return it before changing its status")
        return {}


def _flow(status: ItemStatus) -> str:
    return "assigned" if status is ItemStatus.ASSIGNED else "checked out"
