"""Assigning individual items to members and taking them back (spec inventory.md §6.3)."""

from datetime import datetime
from uuid import UUID

import msgspec

from api.inventory.errors import ItemNotAvailableError, invalid_field
from api.inventory.schemas import AssignmentRead, AssignRequest, UnassignRequest
from api.inventory.service._holding import HoldingBase, as_utc, status_after_return
from shared.db.types import utc_now
from shared.events.contracts.inventory import ItemAssigned, ItemUnassigned
from shared.models import (
    AssignmentType,
    InventoryItem,
    ItemAssignment,
    ItemCondition,
    ItemStatus,
    TrackingType,
)

ASSIGNABLE = {ItemStatus.AVAILABLE, ItemStatus.ASSIGNED}


class AssignmentFlows(HoldingBase):
    """Permanent and temporary assignments: one active holder per individual item."""

    async def assign(self, item_id: UUID, request: AssignRequest) -> AssignmentRead:
        """Give the item to the member; a current holder's assignment ends in the same
        transaction, under the item lock (§5.5)."""
        if request.item_id is not None and request.item_id != item_id:
            raise invalid_field("item_id")  # the path names the item (§10 D2)
        due = request.expected_return_date
        due = as_utc(due, "expected_return_date") if due else None
        item = await self._lock(item_id)
        await self._member_name(request.user_id)
        if item.tracking_type is TrackingType.POOL:
            raise ItemNotAvailableError("Pool items are issued in units, not assigned; use /issue")
        if item.status not in ASSIGNABLE:
            raise ItemNotAvailableError(
                f"Item is not available for assignment (status: {item.status})"
            )
        previous = await self.flows.lock_active_assignment(item.id)
        if previous is not None:
            if previous.user_id == request.user_id:
                raise ItemNotAvailableError("Item is already assigned to this member")
            # Both members, in id order: the previous holder's count is reported below.
            await self.flows.lock_members({previous.user_id, request.user_id})
            await self._end_assignment(item, previous, condition=None, notes=None)
        assignment = await self._assign_locked(
            item,
            request.user_id,
            assignment_type=request.assignment_type,
            reason=request.assignment_reason,
            due=due,
            previous_user_id=previous.user_id if previous else None,
        )
        await self._record(
            "inventory_item_assigned",
            item_id=str(item.id),
            item_name=item.name,
            user_id=str(request.user_id),
            previous_user_id=str(previous.user_id) if previous else None,
        )
        if previous is not None:
            await self._holdings_changed(previous.user_id)
        return msgspec.convert(assignment, AssignmentRead, from_attributes=True)

    async def unassign(self, item_id: UUID, request: UnassignRequest) -> None:
        """Take the item back from its holder; poor or damaged sends it to maintenance."""
        item = await self._lock(item_id)
        assignment = await self.flows.lock_active_assignment(item.id)
        if assignment is None:
            raise ItemNotAvailableError(f"Item is not assigned (status: {item.status})")
        await self.flows.lock_members({assignment.user_id})
        condition = ItemCondition(request.return_condition) if request.return_condition else None
        await self._end_assignment(
            item, assignment, condition=condition, notes=request.return_notes
        )
        self._announce_unassigned(item, assignment, condition)
        await self._record(
            "inventory_item_unassigned",
            item_id=str(item.id),
            item_name=item.name,
            user_id=str(assignment.user_id),
            return_condition=condition,
        )
        await self._holdings_changed(assignment.user_id)

    async def _assign_locked(
        self,
        item: InventoryItem,
        user_id: UUID,
        *,
        assignment_type: AssignmentType,
        reason: str | None,
        due: datetime | None = None,
        previous_user_id: UUID | None = None,
    ) -> ItemAssignment:
        """Open the assignment and mark the locked item as held by the member."""
        now = utc_now()
        assignment = ItemAssignment(
            organization_id=item.organization_id,
            item_id=item.id,
            user_id=user_id,
            assignment_type=assignment_type,
            assignment_reason=reason,
            expected_return_date=due,
            assigned_date=now,
            assigned_by=self.principal.user_id,
            is_active=True,
        )
        await self._add_holder(assignment)
        item.assigned_to_user_id = user_id
        item.assigned_date = now
        item.status = ItemStatus.ASSIGNED
        await self.flows.write()
        self._publish(
            ItemAssigned(
                item_id=item.id,
                item_name=item.name,
                user_id=user_id,
                assignment_id=assignment.id,
                previous_user_id=previous_user_id,
            )
        )
        return assignment

    async def _end_assignment(
        self,
        item: InventoryItem,
        assignment: ItemAssignment,
        *,
        condition: ItemCondition | None,
        notes: str | None,
    ) -> None:
        """Close the locked assignment (409 if another request closed it first) and free the
        item: its condition as returned, its status by that condition (§4)."""
        closed = await self.flows.close_assignment(
            assignment,
            returned_date=utc_now(),
            returned_by=self.principal.user_id,
            return_condition=condition,
            return_notes=notes,
        )
        if not closed:
            raise ItemNotAvailableError("Item is not assigned (another request returned it)")
        item.assigned_to_user_id = None
        item.assigned_date = None
        if condition is not None:
            item.condition = condition
        item.status = status_after_return(condition)
        await self.flows.write()

    def _announce_unassigned(
        self, item: InventoryItem, assignment: ItemAssignment, condition: ItemCondition | None
    ) -> None:
        """The `item_unassigned` event of a return (a takeover's is `item_assigned` with the
        previous holder, so the notices of that holder are not doubled)."""
        self._publish(
            ItemUnassigned(
                item_id=item.id,
                item_name=item.name,
                user_id=assignment.user_id,
                assignment_id=assignment.id,
                return_condition=condition,
            )
        )
