"""Temporary loans of individual items: checkout, check-in, extension, the open and overdue
lists (spec inventory.md §6.5)."""

from datetime import datetime, timedelta
from uuid import UUID

import msgspec

from api.inventory.errors import (
    AlreadyReturnedError,
    CheckoutNotFoundError,
    ItemNotAvailableError,
    NotBorrowerError,
    invalid_field,
)
from api.inventory.schemas import (
    CheckinRequest,
    CheckoutCreate,
    CheckoutPage,
    CheckoutRead,
    CheckoutRow,
)
from api.inventory.service._holding import HoldingBase, as_utc, is_overdue, status_after_return
from shared.db.types import utc_now
from shared.events.contracts.inventory import CheckoutExtended, ItemCheckedIn, ItemCheckedOut
from shared.models import CheckoutRecord, InventoryItem, ItemCondition, ItemStatus, TrackingType
from shared.permissions import grants_any

LONGEST_EXTENSION = timedelta(days=365)
MANAGE = ("inventory.manage",)


class CheckoutFlows(HoldingBase):
    """One open checkout per individual item; overdue is always worked out at read time."""

    async def check_out(self, request: CheckoutCreate) -> CheckoutRead:
        """Lend the item; it must be available, and the due time in the future."""
        now = utc_now()
        due = (
            as_utc(request.expected_return_at, "expected_return_at")
            if request.expected_return_at
            else None
        )
        if due is not None and due <= now:
            raise invalid_field("expected_return_at")
        item = await self._lock(request.item_id)
        await self._member_name(request.user_id)
        if item.tracking_type is TrackingType.POOL:
            raise ItemNotAvailableError(
                "Pool items are issued in units, not checked out; use /issue"
            )
        if item.status is not ItemStatus.AVAILABLE:
            raise ItemNotAvailableError(
                f"Item is not available for checkout (status: {item.status})"
            )
        record = CheckoutRecord(
            organization_id=item.organization_id,
            item_id=item.id,
            user_id=request.user_id,
            checked_out_at=now,
            expected_return_at=due,
            checked_out_by=self.principal.user_id,
            checkout_reason=request.checkout_reason,
            checkout_condition=item.condition,
            is_returned=False,
            is_overdue=False,
        )
        await self._add_holder(record)
        item.status = ItemStatus.CHECKED_OUT
        await self.flows.write()
        await self._record(
            "inventory_item_checked_out",
            item_id=str(item.id),
            item_name=item.name,
            user_id=str(request.user_id),
            checkout_id=str(record.id),
        )
        self._publish(
            ItemCheckedOut(
                checkout_id=record.id,
                item_id=item.id,
                item_name=item.name,
                user_id=record.user_id,
                expected_return_at=due,
            )
        )
        return checkout_read(record, now)

    async def check_in(self, checkout_id: UUID, request: CheckinRequest) -> None:
        """Close the checkout; the item takes the returned condition (§4)."""
        found = await self.flows.checkout(checkout_id)
        if found is None:
            raise CheckoutNotFoundError
        # Item first, then the record read again under lock (§5.1).
        item = await self._lock(found.item_id)
        record = await self.flows.lock_checkout(checkout_id)
        await self.flows.lock_members({record.user_id})
        condition = ItemCondition(request.return_condition)
        await self._check_in_locked(item, record, condition, request.damage_notes)
        await self._record(
            "inventory_item_checked_in",
            item_id=str(item.id),
            item_name=item.name,
            user_id=str(record.user_id),
            checkout_id=str(record.id),
            return_condition=condition,
        )
        await self._holdings_changed(record.user_id)

    async def extend(self, checkout_id: UUID, expected_return_at: datetime) -> datetime:
        """Move the due time: the borrower's own loan, or any loan for a manager."""
        record = await self.flows.checkout(checkout_id)
        if record is None:
            raise CheckoutNotFoundError
        principal = self.principal
        if record.user_id != principal.user_id and not grants_any(principal.permissions, MANAGE):
            raise NotBorrowerError
        now = utc_now()
        due = as_utc(expected_return_at, "expected_return_at")
        if not now < due <= now + LONGEST_EXTENSION:
            raise invalid_field("expected_return_at")
        if record.is_returned or not await self.flows.extend_checkout(record, due):
            raise AlreadyReturnedError("Checkout already returned")
        await self._record(
            "inventory_checkout_extended",
            item_id=str(record.item_id),
            user_id=str(record.user_id),
            checkout_id=str(record.id),
            expected_return_at=due.isoformat(),
        )
        self._publish(
            CheckoutExtended(
                checkout_id=record.id,
                item_id=record.item_id,
                user_id=record.user_id,
                expected_return_at=due,
            )
        )
        return due

    async def open_checkouts(self, *, user_id: UUID | None, skip: int, limit: int) -> CheckoutPage:
        """Open checkouts, newest first, with the true count (§10 D8)."""
        return await self._page(user_id=user_id, overdue=False, skip=skip, limit=limit)

    async def overdue_checkouts(self, *, skip: int, limit: int) -> CheckoutPage:
        """Open checkouts past due now, the longest overdue first."""
        return await self._page(user_id=None, overdue=True, skip=skip, limit=limit)

    async def _page(
        self, *, user_id: UUID | None, overdue: bool, skip: int, limit: int
    ) -> CheckoutPage:
        now = utc_now()
        rows, total = await self.flow_lists.open_checkouts(
            user_id=user_id, overdue_at=now if overdue else None, skip=skip, limit=limit
        )
        checkouts = [
            CheckoutRow(
                checkout_id=record.id,
                item_id=record.item_id,
                item_name=item_name,
                user_id=record.user_id,
                user_name=user_name,
                checked_out_at=record.checked_out_at,
                expected_return_at=record.expected_return_at,
                is_overdue=is_overdue(record, now),
                checkout_reason=record.checkout_reason,
            )
            for record, item_name, user_name in rows
        ]
        return CheckoutPage(checkouts=checkouts, total=total, skip=skip, limit=limit)

    async def _check_in_locked(
        self,
        item: InventoryItem,
        record: CheckoutRecord,
        condition: ItemCondition,
        notes: str | None,
    ) -> None:
        """Close the locked checkout (409 if another check-in won) and free the item."""
        if record.is_returned:
            raise AlreadyReturnedError("Item already checked in")
        closed = await self.flows.close_checkout(
            record,
            checked_in_at=utc_now(),
            checked_in_by=self.principal.user_id,
            return_condition=condition,
            damage_notes=notes,
        )
        if not closed:
            raise AlreadyReturnedError("Item already checked in (another request checked it in)")
        item.condition = condition
        item.status = status_after_return(condition)
        await self.flows.write()
        self._publish(
            ItemCheckedIn(
                checkout_id=record.id,
                item_id=item.id,
                item_name=item.name,
                user_id=record.user_id,
                expected_return_at=record.expected_return_at,
                return_condition=condition,
            )
        )


def checkout_read(record: CheckoutRecord, now: datetime) -> CheckoutRead:
    """The record's shape, overdue worked out at `now` rather than the stored flag."""
    read = msgspec.convert(record, CheckoutRead, from_attributes=True)
    return msgspec.structs.replace(read, is_overdue=is_overdue(record, now))
