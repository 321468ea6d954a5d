"""Batch desk bodies and answer (spec inventory.md §6.6 #24, #25)."""

from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from api.inventory.schemas._assignments import ReturnCondition
from api.inventory.schemas._common import Code, Notes
from api.inventory.schemas._issuances import Units

# A desk session scans a member's gear: a few dozen entries, never thousands.
MAX_ENTRIES = 200


class CheckoutEntry(msgspec.Struct, kw_only=True):
    """One scanned item to hand out: its code, or the id a look-up gave."""

    code: Code
    item_id: UUID | None = None
    quantity: Units = 1


class ReturnEntry(msgspec.Struct, kw_only=True):
    """One scanned item coming back."""

    code: Code
    item_id: UUID | None = None
    return_condition: ReturnCondition = "good"
    damage_notes: Notes | None = None
    quantity: Units = 1


class BatchCheckoutRequest(msgspec.Struct, kw_only=True):
    """Hand several items to one member; each entry succeeds or fails on its own."""

    user_id: UUID
    items: Annotated[list[CheckoutEntry], Meta(min_length=1, max_length=MAX_ENTRIES)]
    reason: Notes | None = None


class BatchReturnRequest(msgspec.Struct, kw_only=True):
    """Take several items back from one member; each entry succeeds or fails on its own."""

    user_id: UUID
    items: Annotated[list[ReturnEntry], Meta(min_length=1, max_length=MAX_ENTRIES)]
    notes: Notes | None = None


BatchAction = Literal["assigned", "issued", "unassigned", "checked_in", "returned_to_pool", "none"]


class BatchResult(msgspec.Struct, kw_only=True):
    """What became of one entry ("Unknown" and "" when its code named no item)."""

    code: str
    item_name: str
    item_id: str
    action: BatchAction
    success: bool
    error: str | None


class BatchRead(msgspec.Struct, kw_only=True):
    """The batch's entries in the order sent, and how many succeeded or failed."""

    user_id: UUID
    total_scanned: int
    successful: int
    failed: int
    results: list[BatchResult]
