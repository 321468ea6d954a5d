"""Issuing pool units to members and taking them back (spec inventory.md §6.4)."""

from uuid import UUID

import msgspec

from api.inventory.errors import (
    AlreadyReturnedError,
    IssuanceNotFoundError,
    ItemNotAvailableError,
    NotEnoughStockError,
    ReturnQuantityError,
)
from api.inventory.schemas import IssuanceRead, IssueRequest, PoolReturnRequest
from api.inventory.service._holding import HoldingBase
from shared.db.types import utc_now
from shared.events.contracts.inventory import PoolIssued, PoolReturned
from shared.models import ChargeStatus, InventoryItem, ItemCondition, ItemIssuance, TrackingType

# Partial returns append a line each to `return_notes`; the oldest lines go past this length.
NOTES_KEPT = 60_000


class IssuanceFlows(HoldingBase):
    """Units of a pool item out with members: on hand goes down, issued up, and back."""

    async def issue(self, item_id: UUID, request: IssueRequest) -> IssuanceRead:
        """Issue `quantity` units to the member, if that many are on hand (§5.2)."""
        item = await self._lock(item_id)
        user_name = await self._member_name(request.user_id)
        issuance = await self._issue_locked(
            item, request.user_id, request.quantity, request.issue_reason
        )
        await self._record(
            "inventory_pool_issued",
            item_id=str(item.id),
            item_name=item.name,
            user_id=str(request.user_id),
            issuance_id=str(issuance.id),
            quantity=request.quantity,
        )
        return _read(issuance, user_name, item.name)

    async def return_issuance(self, issuance_id: UUID, request: PoolReturnRequest) -> int:
        """Take back all outstanding units, or `quantity_returned` of them; how many came."""
        found = await self.flows.issuance(issuance_id)
        if found is None:
            raise IssuanceNotFoundError
        # Item first, then the record read again under lock (§5.1).
        item = await self._lock(found.item_id)
        issuance = await self.flows.lock_issuance(issuance_id)
        await self.flows.lock_members({issuance.user_id})
        condition = ItemCondition(request.return_condition) if request.return_condition else None
        returned = await self._return_locked(
            item, issuance, request.quantity_returned, condition, request.return_notes
        )
        await self._record(
            "inventory_pool_returned",
            item_id=str(item.id),
            item_name=item.name,
            user_id=str(issuance.user_id),
            issuance_id=str(issuance.id),
            quantity=returned,
        )
        await self._holdings_changed(issuance.user_id)
        return returned

    async def item_issuances(
        self, item_id: UUID, *, active_only: bool, skip: int, limit: int
    ) -> list[IssuanceRead]:
        """The item's issuances, newest first (404 when the item is not ours)."""
        await self._item(item_id)
        rows = await self.flow_lists.issuances(
            item_id=item_id, user_id=None, active_only=active_only, skip=skip, limit=limit
        )
        return [_read(row, user_name, item_name) for row, item_name, user_name in rows]

    async def member_issuances(
        self, user_id: UUID, *, active_only: bool, skip: int, limit: int
    ) -> list[IssuanceRead]:
        """The member's issuances, newest first (none for a member who is not ours)."""
        rows = await self.flow_lists.issuances(
            item_id=None, user_id=user_id, active_only=active_only, skip=skip, limit=limit
        )
        return [_read(row, user_name, item_name) for row, item_name, user_name in rows]

    async def _issue_locked(
        self, item: InventoryItem, user_id: UUID, quantity: int, reason: str | None
    ) -> ItemIssuance:
        """Move the units and open the issuance, its unit cost a snapshot of today's."""
        if not item.active:
            raise ItemNotAvailableError("Item is retired")
        if item.tracking_type is not TrackingType.POOL:
            raise ItemNotAvailableError(
                "Individual items are assigned or checked out, not issued; use /assign"
            )
        # Allowances are LATER (§6.4): until they exist no member has a cap to exceed.
        if not await self.flows.take_units(item, quantity):
            raise NotEnoughStockError(
                f"Not enough stock: {item.quantity} on hand, {quantity} requested"
            )
        issuance = ItemIssuance(
            organization_id=item.organization_id,
            item_id=item.id,
            user_id=user_id,
            quantity_issued=quantity,
            issued_at=utc_now(),
            issued_by=self.principal.user_id,
            issue_reason=reason,
            is_returned=False,
            unit_cost_at_issuance=(
                item.replacement_cost if item.replacement_cost is not None else item.purchase_price
            ),
            charge_status=ChargeStatus.NONE,
        )
        await self._add_holder(issuance)
        self._publish(
            PoolIssued(
                item_id=item.id,
                item_name=item.name,
                user_id=user_id,
                issuance_id=issuance.id,
                quantity=quantity,
            )
        )
        return issuance

    async def _return_locked(
        self,
        item: InventoryItem,
        issuance: ItemIssuance,
        quantity: int | None,
        condition: ItemCondition | None,
        notes: str | None,
    ) -> int:
        """Put units back on hand; the issuance closes when none are left out (§6.4 #15).
        The item's condition stays as it is."""
        if issuance.is_returned:
            raise AlreadyReturnedError("Issuance already returned")
        outstanding = issuance.quantity_issued
        count = outstanding if quantity is None else quantity
        if count > outstanding:
            raise ReturnQuantityError(
                f"Cannot return {count} unit(s): only {outstanding} outstanding"
            )
        if count == outstanding:
            # After partial returns the notes are their lines: the last return adds its own.
            final = _appended(issuance, count, condition, notes) if issuance.return_notes else notes
            done = await self.flows.return_units(
                issuance,
                outstanding,
                returned_at=utc_now(),
                returned_by=self.principal.user_id,
                return_condition=condition,
                return_notes=final,
            )
        else:
            done = await self.flows.return_some_units(
                issuance, count, _appended(issuance, count, condition, notes)
            )
        if not done:
            raise AlreadyReturnedError("Issuance already returned (another request returned it)")
        item.quantity += count
        item.quantity_issued = max(item.quantity_issued - count, 0)
        await self.flows.write()
        self._publish(
            PoolReturned(
                item_id=item.id,
                item_name=item.name,
                user_id=issuance.user_id,
                issuance_id=issuance.id,
                quantity=count,
            )
        )
        return count


def _appended(
    issuance: ItemIssuance, count: int, condition: ItemCondition | None, notes: str | None
) -> str:
    """The issuance's notes with a line for this return: the count, condition and notes."""
    line = f"Returned {count} unit(s)" + (f" ({condition})" if condition else "")
    line += f": {notes}" if notes else ""
    kept = f"{issuance.return_notes}\n{line}" if issuance.return_notes else line
    return kept[-NOTES_KEPT:]


def _read(issuance: ItemIssuance, user_name: str | None, item_name: str | None) -> IssuanceRead:
    read = msgspec.convert(issuance, IssuanceRead, from_attributes=True)
    return msgspec.structs.replace(read, user_name=user_name, item_name=item_name)
