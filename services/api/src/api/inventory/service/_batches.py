"""The desk's batch checkout and return for one member (spec inventory.md §6.6 #24, #25).

Each entry runs in a savepoint of the request's transaction: a failed entry undoes only its
own writes, and the request still commits once. Every item the batch names is locked up front
in id order, so two desks working on the same items wait for each other instead of deadlocking.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from uuid import UUID

from api.inventory.errors import ItemNotAvailableError, NotHeldError
from api.inventory.schemas import (
    BatchAction,
    BatchCheckoutRequest,
    BatchRead,
    BatchResult,
    BatchReturnRequest,
    CheckoutEntry,
    ReturnEntry,
)
from api.inventory.service._assignments import AssignmentFlows
from api.inventory.service._checkouts import CheckoutFlows
from api.inventory.service._issuances import IssuanceFlows
from shared.errors import AppError
from shared.events.contracts.inventory import BatchCheckout, BatchReturn
from shared.models import AssignmentType, InventoryItem, ItemCondition, ItemStatus, TrackingType

E = TypeVar("E", CheckoutEntry, ReturnEntry)
UNKNOWN = "Unknown"


@dataclass(frozen=True)
class _Resolved:
    """An entry and the item its id or code named, if any (read before any lock)."""

    item_id: UUID | None
    item_name: str


class BatchFlows(AssignmentFlows, IssuanceFlows, CheckoutFlows):
    """Hand out and take back many items for one member, entry by entry."""

    async def batch_checkout(self, request: BatchCheckoutRequest) -> BatchRead:
        """Pool items are issued, available individual items assigned; the rest fail."""
        await self._member_name(request.user_id)
        handed: set[UUID] = set()  # individual items already handed out by this batch

        async def hand_out(entry: CheckoutEntry, item: InventoryItem) -> BatchAction:
            if item.tracking_type is TrackingType.POOL:
                await self._issue_locked(item, request.user_id, entry.quantity, request.reason)
                return "issued"
            if item.id in handed:
                raise ItemNotAvailableError("Item appears more than once in this batch")
            handed.add(item.id)
            if item.status in (ItemStatus.ASSIGNED, ItemStatus.CHECKED_OUT):
                # The original reassigned it silently (§10 D3).
                raise ItemNotAvailableError(
                    f"Item is already held by a member (status: {item.status})"
                )
            if item.status is not ItemStatus.AVAILABLE:
                raise ItemNotAvailableError(f"Item is not available (status: {item.status})")
            await self._assign_locked(
                item,
                request.user_id,
                assignment_type=AssignmentType.PERMANENT,
                reason=request.reason,
            )
            return "assigned"

        results = await self._run(request.items, hand_out)
        return await self._finish(
            request.user_id, results, "inventory_batch_checkout", BatchCheckout
        )

    async def batch_return(self, request: BatchReturnRequest) -> BatchRead:
        """Each item goes back by the first way the member holds it: assignment, checkout,
        then their newest open issuance; an item they do not hold fails."""
        await self._member_name(request.user_id)
        user_id = request.user_id

        async def take_back(entry: ReturnEntry, item: InventoryItem) -> BatchAction:
            condition = ItemCondition(entry.return_condition)
            notes = entry.damage_notes or request.notes
            if item.tracking_type is TrackingType.INDIVIDUAL:
                assignment = await self.flows.lock_active_assignment(item.id)
                if assignment is not None and assignment.user_id == user_id:
                    await self._end_assignment(item, assignment, condition=condition, notes=notes)
                    self._announce_unassigned(item, assignment, condition)
                    return "unassigned"
                record = await self.flows.lock_open_checkout(item.id)
                if record is not None and record.user_id == user_id:
                    await self._check_in_locked(item, record, condition, notes)
                    return "checked_in"
            else:
                issuance = await self.flows.newest_open_issuance(item.id, user_id)
                if issuance is not None:
                    await self._return_locked(item, issuance, entry.quantity, condition, notes)
                    return "returned_to_pool"
            raise NotHeldError

        results = await self._run(request.items, take_back, returning_from=user_id)
        batch = await self._finish(user_id, results, "inventory_batch_return", BatchReturn)
        if batch.successful:
            await self._holdings_changed(user_id)
        return batch

    async def _run(
        self,
        entries: Sequence[E],
        act: Callable[[E, InventoryItem], Awaitable[BatchAction]],
        returning_from: UUID | None = None,
    ) -> list[BatchResult]:
        """Resolve every entry, lock their items in id order (then the member whose items come
        back, as a single return does), then act on each in turn."""
        resolved = []
        for entry in entries:
            item = await self.flows.find_active_item(entry.item_id, entry.code)
            resolved.append(_Resolved(item.id, item.name) if item else _Resolved(None, UNKNOWN))
        await self.flows.lock_items({r.item_id for r in resolved if r.item_id is not None})
        if returning_from is not None:
            await self.flows.lock_members({returning_from})
        results = []
        for entry, found in zip(entries, resolved, strict=True):
            results.append(await self._one(entry, found, act))
        return results

    async def _one(
        self, entry: E, found: _Resolved, act: Callable[[E, InventoryItem], Awaitable[BatchAction]]
    ) -> BatchResult:
        """One entry in a savepoint of its own; its failure is reported, not raised."""
        if found.item_id is None:
            return _result(entry, found, "none", error="Item not found")
        try:
            async with self.flows.savepoint():
                item = await self._lock(found.item_id)  # read afresh: earlier entries changed it
                action = await act(entry, item)
        except AppError as failure:
            return _result(entry, found, "none", error=failure.message)
        return _result(entry, found, action)

    async def _finish(
        self,
        user_id: UUID,
        results: list[BatchResult],
        audit_type: str,
        event: type[BatchCheckout] | type[BatchReturn],
    ) -> BatchRead:
        """The answer; one audit entry and one event when anything changed."""
        successful = sum(1 for result in results if result.success)
        batch = BatchRead(
            user_id=user_id,
            total_scanned=len(results),
            successful=successful,
            failed=len(results) - successful,
            results=results,
        )
        if successful:
            item_ids = [UUID(result.item_id) for result in results if result.success]
            await self._record(
                audit_type,
                user_id=str(user_id),
                total_scanned=batch.total_scanned,
                successful=successful,
                failed=batch.failed,
                item_ids=[str(item_id) for item_id in item_ids],
            )
            self._publish(
                event(
                    user_id=user_id, successful=successful, failed=batch.failed, item_ids=item_ids
                )
            )
        return batch


def _result(
    entry: CheckoutEntry | ReturnEntry,
    found: _Resolved,
    action: BatchAction,
    error: str | None = None,
) -> BatchResult:
    return BatchResult(
        code=entry.code,
        item_name=found.item_name,
        item_id=str(found.item_id) if found.item_id else "",
        action=action,
        success=error is None,
        error=error,
    )
