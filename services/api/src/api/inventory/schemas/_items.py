"""Item bodies and the item shape (spec inventory.md §6.2, §7.2)."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from api.inventory.schemas._common import (
    Attachments,
    Count,
    Document,
    Money,
    Name,
    Notes,
    Positions,
    RankOrder,
    Text50,
    Text100,
    Text255,
    Weight,
)
from shared.models import (
    GarmentStyle,
    InventoryItem,
    ItemCondition,
    ItemStatus,
    ItemType,
    StandardSize,
    TrackingType,
)

# An item starts free: `assigned` and `checked_out` come only from the flows (§4).
CreateStatus = Literal["available", "in_maintenance", "lost", "stolen"]


class ItemCreate(msgspec.Struct, kw_only=True):
    """A new item; a blank barcode is generated, blank serial and asset tag are null."""

    name: Name
    category_id: UUID | None = None
    description: Notes | None = None
    notes: Notes | None = None
    status_notes: Notes | None = None
    manufacturer: Text255 | None = None
    model_number: Text255 | None = None
    purchase_order: Text255 | None = None
    vendor: Text255 | None = None
    storage_location: Text255 | None = None
    serial_number: Text255 | None = None
    asset_tag: Text255 | None = None
    barcode: Text255 | None = None
    purchase_date: date | None = None
    warranty_expiration: date | None = None
    purchase_price: Money | None = None
    current_value: Money | None = None
    replacement_cost: Money | None = None
    vendor_id: UUID | None = None
    variant_group_id: UUID | None = None
    expected_lifetime_years: Count | None = None
    reorder_point: Count | None = None
    inspection_interval_days: Count | None = None
    size: Text50 | None = None
    color: Text50 | None = None
    unit_of_measure: Text50 | None = None
    standard_size: StandardSize | None = None
    style: GarmentStyle | None = None
    weight: Weight | None = None
    location_id: UUID | None = None
    storage_area_id: UUID | None = None
    station: Text100 | None = None
    min_rank_order: RankOrder | None = None
    restricted_to_positions: Positions | None = None
    custom_fields: Document | None = None
    attachments: Attachments | None = None
    condition: ItemCondition = ItemCondition.GOOD
    status: CreateStatus = "available"
    tracking_type: TrackingType = TrackingType.INDIVIDUAL
    quantity: Count = 1


class ItemUpdate(msgspec.Struct, kw_only=True):
    """A partial item edit: absent fields stay, null clears (not for the five kept fields)."""

    name: Name | UnsetType = UNSET
    category_id: UUID | UnsetType | None = UNSET
    description: Notes | UnsetType | None = UNSET
    notes: Notes | UnsetType | None = UNSET
    status_notes: Notes | UnsetType | None = UNSET
    manufacturer: Text255 | UnsetType | None = UNSET
    model_number: Text255 | UnsetType | None = UNSET
    purchase_order: Text255 | UnsetType | None = UNSET
    vendor: Text255 | UnsetType | None = UNSET
    storage_location: Text255 | UnsetType | None = UNSET
    serial_number: Text255 | UnsetType | None = UNSET
    asset_tag: Text255 | UnsetType | None = UNSET
    barcode: Text255 | UnsetType | None = UNSET
    purchase_date: date | UnsetType | None = UNSET
    warranty_expiration: date | UnsetType | None = UNSET
    purchase_price: Money | UnsetType | None = UNSET
    current_value: Money | UnsetType | None = UNSET
    replacement_cost: Money | UnsetType | None = UNSET
    vendor_id: UUID | UnsetType | None = UNSET
    variant_group_id: UUID | UnsetType | None = UNSET
    expected_lifetime_years: Count | UnsetType | None = UNSET
    reorder_point: Count | UnsetType | None = UNSET
    inspection_interval_days: Count | UnsetType | None = UNSET
    size: Text50 | UnsetType | None = UNSET
    color: Text50 | UnsetType | None = UNSET
    unit_of_measure: Text50 | UnsetType | None = UNSET
    standard_size: StandardSize | UnsetType | None = UNSET
    style: GarmentStyle | UnsetType | None = UNSET
    weight: Weight | UnsetType | None = UNSET
    location_id: UUID | UnsetType | None = UNSET
    storage_area_id: UUID | UnsetType | None = UNSET
    station: Text100 | UnsetType | None = UNSET
    min_rank_order: RankOrder | UnsetType | None = UNSET
    restricted_to_positions: Positions | UnsetType | None = UNSET
    custom_fields: Document | UnsetType | None = UNSET
    attachments: Attachments | UnsetType | None = UNSET
    condition: ItemCondition | UnsetType = UNSET
    status: ItemStatus | UnsetType = UNSET
    tracking_type: TrackingType | UnsetType = UNSET
    quantity: Count | UnsetType = UNSET
    active: bool | UnsetType = UNSET
    last_inspection_date: date | UnsetType | None = UNSET
    next_inspection_due: date | UnsetType | None = UNSET


class ItemRead(msgspec.Struct, kw_only=True):
    """An item as the API answers it; money as decimal strings."""

    id: UUID
    organization_id: UUID
    name: str
    category_id: UUID | None
    description: str | None
    notes: str | None
    status_notes: str | None
    manufacturer: str | None
    model_number: str | None
    purchase_order: str | None
    vendor: str | None
    storage_location: str | None
    serial_number: str | None
    asset_tag: str | None
    barcode: str | None
    purchase_date: date | None
    warranty_expiration: date | None
    purchase_price: Decimal | None
    current_value: Decimal | None
    replacement_cost: Decimal | None
    vendor_id: UUID | None
    variant_group_id: UUID | None
    expected_lifetime_years: int | None
    reorder_point: int | None
    inspection_interval_days: int | None
    size: str | None
    color: str | None
    unit_of_measure: str | None
    standard_size: StandardSize | None
    style: GarmentStyle | None
    weight: float | None
    location_id: UUID | None
    storage_area_id: UUID | None
    station: str | None
    min_rank_order: int | None
    restricted_to_positions: list[str] | None
    custom_fields: dict[str, Any] | None
    attachments: list[str] | None
    condition: ItemCondition
    status: ItemStatus
    tracking_type: TrackingType
    quantity: int
    quantity_issued: int
    assigned_to_user_id: UUID | None
    assigned_date: datetime | None
    last_inspection_date: date | None
    next_inspection_due: date | None
    active: bool
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    # Filled by the service: names of related rows, and lots (LATER).
    category_name: str | None = None
    assigned_to_name: str | None = None
    vendor_name: str | None = None
    lot_stock: int | None = None
    is_lot_stocked: bool = False


class ItemPage(msgspec.Struct):
    """A page of items and the count of all that match."""

    items: list[ItemRead]
    total: int
    skip: int
    limit: int


class RetireRequest(msgspec.Struct):
    """Why the item is retired (kept as its status notes)."""

    notes: Notes | None = None


@dataclass(frozen=True, kw_only=True)
class ItemFilters:
    """What `GET /items` narrows the list to (§6.2 #6); None leaves a filter out."""

    category_id: UUID | None = None
    status: ItemStatus | None = None
    condition: ItemCondition | None = None
    item_type: ItemType | None = None
    assigned_to: UUID | None = None
    location_id: UUID | None = None
    storage_area_id: UUID | None = None
    vendor_id: UUID | None = None
    size: str | None = None
    color: str | None = None
    style: GarmentStyle | None = None
    search: str | None = None
    active_only: bool = True


def list_reads(rows: list[dict[str, Any]]) -> list[ItemRead]:
    """Items as the list answers them, from the items' columns and `category_name` by name
    (holder names stay null in lists, §6.2 #6)."""
    return msgspec.convert(rows, list[ItemRead])


def item_read(
    item: InventoryItem, *, category_name: str | None, assigned_to_name: str | None = None
) -> ItemRead:
    """The item as the API answers it, with the names of its category and holder."""
    read = msgspec.convert(item, ItemRead, from_attributes=True)
    return msgspec.structs.replace(
        read, category_name=category_name, assigned_to_name=assigned_to_name
    )
