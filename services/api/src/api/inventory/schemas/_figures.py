"""Dashboard figures and a member's holdings (spec inventory.md §6.7, §6.8)."""

from datetime import datetime
from uuid import UUID

import msgspec

from shared.models import ItemCondition, ItemType


class InventorySummary(msgspec.Struct, kw_only=True):
    """Totals over the organization's items, or over those the caller holds (§6.7 #26)."""

    total_items: int
    items_by_status: dict[str, int]
    items_by_condition: dict[str, int]
    total_value: float
    active_checkouts: int
    overdue_checkouts: int
    maintenance_due_count: int


class LocationSummary(msgspec.Struct, kw_only=True):
    """Active items of one location; the null location is named `Unassigned` (#27)."""

    location_id: UUID | None
    location_name: str | None
    item_count: int
    total_quantity: int
    total_value: float


class LowStockItem(msgspec.Struct):
    """One of a low category's emptiest items."""

    name: str
    quantity: int


class LowStockCategory(msgspec.Struct, kw_only=True):
    """A category at or below its threshold, with up to five items, lowest first (#28)."""

    category_id: UUID
    category_name: str
    item_type: ItemType
    current_stock: int
    threshold: int
    items: list[LowStockItem]


class MemberInventoryCounts(msgspec.Struct, kw_only=True):
    """What one active member holds (#29)."""

    user_id: UUID
    username: str
    first_name: str | None
    last_name: str | None
    full_name: str
    membership_number: str | None
    permanent_count: int
    checkout_count: int
    issued_count: int
    overdue_count: int
    total_items: int


class MembersSummary(msgspec.Struct):
    """Every active member matching the search, by last then first name."""

    members: list[MemberInventoryCounts]
    total: int


class AssignedItem(msgspec.Struct, kw_only=True):
    """An item assigned to the member (always one unit)."""

    assignment_id: UUID
    item_id: UUID
    item_name: str
    serial_number: str | None
    asset_tag: str | None
    condition: ItemCondition
    assigned_date: datetime
    category_name: str | None
    quantity: int = 1


class CheckedOutItem(msgspec.Struct, kw_only=True):
    """An item the member borrowed and has not brought back."""

    checkout_id: UUID
    item_id: UUID
    item_name: str
    checked_out_at: datetime
    expected_return_at: datetime | None
    is_overdue: bool


class IssuedItem(msgspec.Struct, kw_only=True):
    """Units of a pool item out with the member."""

    issuance_id: UUID
    item_id: UUID
    item_name: str
    quantity_issued: int
    issued_at: datetime
    size: str | None
    category_name: str | None


class MemberInventory(msgspec.Struct):
    """What a member holds now, each list newest first (§6.8 #30)."""

    permanent_assignments: list[AssignedItem]
    active_checkouts: list[CheckedOutItem]
    issued_items: list[IssuedItem]
