"""What the holder flows share (spec inventory.md §4, §5): the member check, the locked item,
UTC times, and the steps a single route and a batch entry both take under the item lock."""

from datetime import datetime
from uuid import UUID

from api.inventory.errors import (
    ItemNotAvailableError,
    ItemNotFoundError,
    MemberNotFoundError,
    invalid_field,
)
from api.inventory.service._base import InventoryServiceBase
from shared.db.integrity import ClashError, ClashKind
from shared.events.contracts.inventory import MemberHoldingsChanged
from shared.models import (
    CheckoutRecord,
    InventoryItem,
    ItemAssignment,
    ItemCondition,
    ItemIssuance,
    ItemStatus,
)
from shared.types import as_utc as body_utc

# A return in one of these conditions sends the item to maintenance (§4 transitions).
NEEDS_MAINTENANCE = {ItemCondition.POOR, ItemCondition.DAMAGED}


def as_utc(value: datetime, field: str) -> datetime:
    """The body's time in UTC by the shared rule (no offset counts as UTC, §5.9); a 422 naming
    `field` for one outside it (no UTC equivalent, or beyond what the database holds)."""
    try:
        return body_utc(value)
    except ValueError:
        raise invalid_field(field) from None


def status_after_return(condition: ItemCondition | None) -> ItemStatus:
    """Back on the shelf, or to maintenance when it came back poor or damaged."""
    return ItemStatus.IN_MAINTENANCE if condition in NEEDS_MAINTENANCE else ItemStatus.AVAILABLE


def is_overdue(record: CheckoutRecord, now: datetime) -> bool:
    """Open and past due, worked out now (the stored flag is the daily job's, §5.9)."""
    due = record.expected_return_at
    return not record.is_returned and due is not None and due < now


class HoldingBase(InventoryServiceBase):
    """Checks and locked steps of the assignment, issuance, checkout and batch flows."""

    async def _member_name(self, user_id: UUID) -> str:
        """The display name of an active member of the organization; 400 otherwise (§1)."""
        name = await self.flows.active_member_name(user_id)
        if name is None:
            raise MemberNotFoundError
        return name

    async def _lock(self, item_id: UUID) -> InventoryItem:
        """The item locked and read afresh, first of all rows (lock order, §5.1); 404."""
        item = await self.flows.lock_item(item_id)
        if item is None:
            raise ItemNotFoundError
        return item

    async def _add_holder(self, row: ItemAssignment | ItemIssuance | CheckoutRecord) -> None:
        """Insert the record; the one-holder keys refuse a second holder (§5.4) with 409."""
        try:
            await self.flows.add(row)
        except ClashError as clash:
            if clash.kind is not ClashKind.UNIQUE:
                raise
            raise ItemNotAvailableError("Item is already held by another member") from None

    async def _holdings_changed(self, user_id: UUID) -> None:
        """Tell membership how many records the member still holds (§8). The member's row is
        locked by then (`flows.lock_members`), so two concurrent returns cannot both count the
        other's item as still held, and the last one reports zero."""
        remaining = await self.flows.holdings(user_id)
        self._publish(MemberHoldingsChanged(user_id=user_id, remaining_count=remaining))
