"""Checkout bodies and shapes (spec inventory.md §6.5, §7.5)."""

from datetime import datetime
from uuid import UUID

import msgspec

from api.inventory.schemas._assignments import ReturnCondition
from api.inventory.schemas._common import Notes
from shared.models import ItemCondition


class CheckoutCreate(msgspec.Struct, kw_only=True):
    """Lend an individual item to a member, until `expected_return_at` (in the future)."""

    item_id: UUID
    user_id: UUID
    expected_return_at: datetime | None = None
    checkout_reason: Notes | None = None


class CheckinRequest(msgspec.Struct, kw_only=True):
    """The condition a loaned item came back in."""

    return_condition: ReturnCondition
    damage_notes: Notes | None = None


class ExtendRequest(msgspec.Struct, kw_only=True):
    """A new due time: later than now, at most a year ahead."""

    expected_return_at: datetime


class ExtendRead(msgspec.Struct, kw_only=True):
    """The acknowledgement of an extension, with the new due time."""

    message: str
    expected_return_at: datetime


class CheckoutRead(msgspec.Struct, kw_only=True):
    """A checkout record (§7.5); `is_overdue` is worked out at read time."""

    id: UUID
    organization_id: UUID
    item_id: UUID
    user_id: UUID
    checked_out_at: datetime
    expected_return_at: datetime | None
    checked_in_at: datetime | None
    checked_out_by: UUID | None
    checked_in_by: UUID | None
    checkout_reason: str | None
    checkout_condition: ItemCondition | None
    return_condition: ItemCondition | None
    damage_notes: str | None
    is_returned: bool
    is_overdue: bool
    created_at: datetime
    updated_at: datetime


class CheckoutRow(msgspec.Struct, kw_only=True):
    """One open checkout in the active and overdue lists."""

    checkout_id: UUID
    item_id: UUID
    item_name: str
    user_id: UUID
    user_name: str
    checked_out_at: datetime
    expected_return_at: datetime | None
    is_overdue: bool
    checkout_reason: str | None


class CheckoutPage(msgspec.Struct, kw_only=True):
    """A page of open checkouts and how many there are in all."""

    checkouts: list[CheckoutRow]
    total: int
    skip: int
    limit: int
