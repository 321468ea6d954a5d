"""Inventory events the api publishes (spec inventory.md §8)."""

from datetime import datetime
from typing import ClassVar
from uuid import UUID

import msgspec

from shared.events.envelope import EventData


class ItemEvent(EventData, frozen=True, kw_only=True):
    """Fields every item event carries."""

    item_id: UUID
    item_name: str


class ItemCreated(ItemEvent, frozen=True, kw_only=True):
    """An item was added to the inventory."""

    subject: ClassVar[str] = "logbook.api.inventory.item_created"


class ItemUpdated(ItemEvent, frozen=True, kw_only=True):
    """An item's fields changed (holder changes have events of their own)."""

    subject: ClassVar[str] = "logbook.api.inventory.item_updated"
    changed_fields: list[str]


class ItemRetired(ItemEvent, frozen=True, kw_only=True):
    """An item was retired: status and condition `retired`, no longer active."""

    subject: ClassVar[str] = "logbook.api.inventory.item_retired"


class ItemAssigned(ItemEvent, frozen=True, kw_only=True):
    """An individual item was assigned; `previous_user_id` held it until this moment."""

    subject: ClassVar[str] = "logbook.api.inventory.item_assigned"
    user_id: UUID
    assignment_id: UUID
    previous_user_id: UUID | None = None


class ItemUnassigned(ItemEvent, frozen=True, kw_only=True):
    """An individual item came back from the member who held it."""

    subject: ClassVar[str] = "logbook.api.inventory.item_unassigned"
    user_id: UUID
    assignment_id: UUID
    return_condition: str | None = None


class PoolEvent(ItemEvent, frozen=True, kw_only=True):
    """Fields every pool issuance event carries: whose units, which issuance, how many."""

    user_id: UUID
    issuance_id: UUID
    quantity: int


class PoolIssued(PoolEvent, frozen=True, kw_only=True):
    """Units of a pool item were issued to a member."""

    subject: ClassVar[str] = "logbook.api.inventory.pool_issued"


class PoolReturned(PoolEvent, frozen=True, kw_only=True):
    """Units of a pool item came back on hand (all of an issuance, or part of it)."""

    subject: ClassVar[str] = "logbook.api.inventory.pool_returned"


class CheckoutEvent(EventData, frozen=True, kw_only=True):
    """Fields every checkout event carries."""

    checkout_id: UUID
    item_id: UUID
    user_id: UUID
    expected_return_at: datetime | None


class ItemCheckedOut(CheckoutEvent, frozen=True, kw_only=True):
    """An individual item was lent to a member."""

    subject: ClassVar[str] = "logbook.api.inventory.item_checked_out"
    item_name: str


class ItemCheckedIn(CheckoutEvent, frozen=True, kw_only=True):
    """A loaned item came back, in `return_condition`."""

    subject: ClassVar[str] = "logbook.api.inventory.item_checked_in"
    item_name: str
    return_condition: str


class CheckoutExtended(CheckoutEvent, frozen=True, kw_only=True):
    """A loan's due time moved to `expected_return_at`."""

    subject: ClassVar[str] = "logbook.api.inventory.checkout_extended"


class BatchEvent(EventData, frozen=True, kw_only=True):
    """A desk batch for one member: how its entries went, and the items that changed hands
    (each also has its own item or pool event)."""

    user_id: UUID
    successful: int
    failed: int
    item_ids: list[UUID]


class BatchCheckout(BatchEvent, frozen=True, kw_only=True):
    """Items were handed to a member at the desk."""

    subject: ClassVar[str] = "logbook.api.inventory.batch_checkout"


class BatchReturn(BatchEvent, frozen=True, kw_only=True):
    """Items were taken back from a member at the desk."""

    subject: ClassVar[str] = "logbook.api.inventory.batch_return"


class MemberHoldingsChanged(EventData, frozen=True, kw_only=True):
    """Something came back from a member: the assignments, checkouts and issuances they still
    hold. Membership archives a dropped member once this reaches zero."""

    subject: ClassVar[str] = "logbook.api.inventory.member_holdings_changed"
    user_id: UUID
    remaining_count: int


class HolderChangesSettled(EventData, frozen=True, kw_only=True):
    """A member's inbox entry of an hour's holder changes will change no more: §8's
    consolidated e-mail of it is due."""

    subject: ClassVar[str] = "logbook.api.inventory.holder_changes_settled"
    user_id: UUID
    entry_id: UUID


class DueCheckout(msgspec.Struct, frozen=True, kw_only=True):
    """One open checkout in a daily reminder."""

    checkout_id: UUID
    item_id: UUID
    item_name: str
    expected_return_at: datetime


class CheckoutsOverdue(EventData, frozen=True, kw_only=True):
    """The daily job found a member's open checkouts past their due time (§8, 07:30)."""

    subject: ClassVar[str] = "logbook.api.inventory.checkouts_overdue"
    user_id: UUID
    checkouts: list[DueCheckout]


class CheckoutsDueSoon(EventData, frozen=True, kw_only=True):
    """The daily job found a member's open checkouts due back within the next day."""

    subject: ClassVar[str] = "logbook.api.inventory.checkouts_due_soon"
    user_id: UUID
    checkouts: list[DueCheckout]


class LowStockItem(msgspec.Struct, frozen=True, kw_only=True):
    """An active item whose units on hand fell to its reorder point or below."""

    item_id: UUID
    item_name: str
    on_hand: int
    reorder_point: int


class StockLow(EventData, frozen=True, kw_only=True):
    """The daily job's list of an organization's items at or below their reorder point (§8)."""

    subject: ClassVar[str] = "logbook.api.inventory.stock_low"
    items: list[LowStockItem]
