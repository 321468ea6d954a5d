"""Inventory (spec inventory.md §3): categories, items, their holders, storage areas, barcodes."""

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from shared.db.base import Base, IdMixin, TimestampMixin
from shared.db.types import UtcDateTime, str_enum, utc_now

Money = Numeric(10, 2)


class ItemType(enum.StrEnum):
    """What a category holds; `medical` belongs to the medical-supply module."""

    UNIFORM = "uniform"
    PPE = "ppe"
    TOOL = "tool"
    EQUIPMENT = "equipment"
    VEHICLE = "vehicle"
    ELECTRONICS = "electronics"
    CONSUMABLE = "consumable"
    OTHER = "other"
    MEDICAL = "medical"


class ItemCondition(enum.StrEnum):
    """An item's physical state; the first five are the return conditions."""

    EXCELLENT = "excellent"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"
    DAMAGED = "damaged"
    OUT_OF_SERVICE = "out_of_service"
    RETIRED = "retired"


class ItemStatus(enum.StrEnum):
    """Where an item is in its life; `assigned`/`checked_out` only through the flows."""

    AVAILABLE = "available"
    ASSIGNED = "assigned"
    CHECKED_OUT = "checked_out"
    IN_MAINTENANCE = "in_maintenance"
    LOST = "lost"
    STOLEN = "stolen"
    RETIRED = "retired"


class TrackingType(enum.StrEnum):
    """One physical unit with one holder, or a counted pool issued in units."""

    INDIVIDUAL = "individual"
    POOL = "pool"


class AssignmentType(enum.StrEnum):
    """How long an assignment is meant to last."""

    PERMANENT = "permanent"
    TEMPORARY = "temporary"


class ChargeStatus(enum.StrEnum):
    """Cost recovery state of an issuance (charges are LATER)."""

    NONE = "none"
    PENDING = "pending"
    CHARGED = "charged"
    WAIVED = "waived"


class StandardSize(enum.StrEnum):
    """Garment and boot sizes (§2): letters, shoe sizes 6 to 15, waist sizes 28 to 46."""

    XXS = "xxs"
    XS = "xs"
    S = "s"
    M = "m"
    L = "l"
    XL = "xl"
    XXL = "xxl"
    XXXL = "xxxl"
    XXXXL = "xxxxl"
    SHOE_6 = "6"
    SHOE_6_5 = "6.5"
    SHOE_7 = "7"
    SHOE_7_5 = "7.5"
    SHOE_8 = "8"
    SHOE_8_5 = "8.5"
    SHOE_9 = "9"
    SHOE_9_5 = "9.5"
    SHOE_10 = "10"
    SHOE_10_5 = "10.5"
    SHOE_11 = "11"
    SHOE_11_5 = "11.5"
    SHOE_12 = "12"
    SHOE_12_5 = "12.5"
    SHOE_13 = "13"
    SHOE_14 = "14"
    SHOE_15 = "15"
    WAIST_28 = "28"
    WAIST_30 = "30"
    WAIST_32 = "32"
    WAIST_34 = "34"
    WAIST_36 = "36"
    WAIST_38 = "38"
    WAIST_40 = "40"
    WAIST_42 = "42"
    WAIST_44 = "44"
    WAIST_46 = "46"
    ONE_SIZE = "one_size"
    CUSTOM = "custom"


class GarmentStyle(enum.StrEnum):
    """Cut of a garment."""

    SHORT_SLEEVE = "short_sleeve"
    LONG_SLEEVE = "long_sleeve"
    MENS = "mens"
    WOMENS = "womens"
    UNISEX = "unisex"
    V_NECK = "v_neck"
    CREW_NECK = "crew_neck"
    POLO = "polo"
    BUTTON_DOWN = "button_down"
    QUARTER_ZIP = "quarter_zip"


class StorageType(enum.StrEnum):
    """What a storage area is."""

    RACK = "rack"
    SHELF = "shelf"
    BOX = "box"
    CABINET = "cabinet"
    DRAWER = "drawer"
    BIN = "bin"
    OTHER = "other"


def _org_column() -> Mapped[UUID]:
    return mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))


class InventoryCategory(IdMixin, TimestampMixin, Base):
    """A kind of gear; names may repeat (the original allows it)."""

    __tablename__ = "inventory_categories"
    __table_args__ = (
        Index("ix_inventory_categories_org_name", "organization_id", "name"),
        Index("ix_inventory_categories_org_type", "organization_id", "item_type"),
    )

    organization_id: Mapped[UUID] = _org_column()
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    item_type: Mapped[ItemType] = mapped_column(str_enum(ItemType))
    parent_category_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("inventory_categories.id", ondelete="SET NULL")
    )
    requires_assignment: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_serial_number: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_maintenance: Mapped[bool] = mapped_column(Boolean, default=False)
    nfpa_tracking_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    low_stock_threshold: Mapped[int | None] = mapped_column(Integer)
    # `metadata` in the API: the attribute name is SQLAlchemy's.
    extra_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[UUID | None] = mapped_column()


class StorageArea(IdMixin, TimestampMixin, Base):
    """A rack, shelf or bin, nested in a tree under a room (read-only in CORE)."""

    __tablename__ = "storage_areas"
    __table_args__ = (
        Index("ix_storage_areas_org_location", "organization_id", "location_id"),
        Index("ix_storage_areas_org_parent", "organization_id", "parent_id"),
    )

    organization_id: Mapped[UUID] = _org_column()
    name: Mapped[str] = mapped_column(String(255))
    label: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    storage_type: Mapped[StorageType] = mapped_column(
        str_enum(StorageType), default=StorageType.OTHER
    )
    parent_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("storage_areas.id", ondelete="SET NULL")
    )
    location_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("locations.id", ondelete="SET NULL")
    )
    barcode: Mapped[str | None] = mapped_column(String(50))  # its own series, `SA-000001`
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[UUID | None] = mapped_column()


class InventoryItem(IdMixin, TimestampMixin, Base):
    """One piece of gear, or a pool of identical units counted by quantity."""

    __tablename__ = "inventory_items"
    __table_args__ = (
        # Codes are unique per organization in any case, retired items included (§4); the
        # lower-cased copies make that hold on MariaDB and SQLite alike, NULLs any number of times.
        UniqueConstraint("organization_id", "barcode_lower", name="uq_inventory_items_barcode"),
        UniqueConstraint(
            "organization_id", "serial_number_lower", name="uq_inventory_items_serial_number"
        ),
        UniqueConstraint("organization_id", "asset_tag_lower", name="uq_inventory_items_asset_tag"),
        CheckConstraint("quantity >= 0 AND quantity_issued >= 0", name="counters"),
        Index("ix_inventory_items_org_active_name", "organization_id", "active", "name"),
        Index("ix_inventory_items_org_category", "organization_id", "category_id"),
        Index("ix_inventory_items_org_status", "organization_id", "status"),
        Index("ix_inventory_items_org_holder", "organization_id", "assigned_to_user_id"),
        Index("ix_inventory_items_org_location", "organization_id", "location_id"),
        Index("ix_inventory_items_org_storage_area", "organization_id", "storage_area_id"),
    )

    organization_id: Mapped[UUID] = _org_column()
    category_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("inventory_categories.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    status_notes: Mapped[str | None] = mapped_column(Text)
    manufacturer: Mapped[str | None] = mapped_column(String(255))
    model_number: Mapped[str | None] = mapped_column(String(255))
    purchase_order: Mapped[str | None] = mapped_column(String(255))
    vendor: Mapped[str | None] = mapped_column(String(255))  # legacy free text
    storage_location: Mapped[str | None] = mapped_column(String(255))  # legacy free text
    serial_number: Mapped[str | None] = mapped_column(String(255))
    serial_number_lower: Mapped[str | None] = mapped_column(String(255))
    asset_tag: Mapped[str | None] = mapped_column(String(255))
    asset_tag_lower: Mapped[str | None] = mapped_column(String(255))
    barcode: Mapped[str | None] = mapped_column(String(255))
    barcode_lower: Mapped[str | None] = mapped_column(String(255))
    purchase_date: Mapped[date | None] = mapped_column(Date)
    warranty_expiration: Mapped[date | None] = mapped_column(Date)
    purchase_price: Mapped[Decimal | None] = mapped_column(Money)
    current_value: Mapped[Decimal | None] = mapped_column(Money)
    replacement_cost: Mapped[Decimal | None] = mapped_column(Money)
    # Their tables are LATER: no foreign key yet.
    vendor_id: Mapped[UUID | None] = mapped_column()
    variant_group_id: Mapped[UUID | None] = mapped_column()
    expected_lifetime_years: Mapped[int | None] = mapped_column(Integer)
    reorder_point: Mapped[int | None] = mapped_column(Integer)
    inspection_interval_days: Mapped[int | None] = mapped_column(Integer)
    size: Mapped[str | None] = mapped_column(String(50))
    color: Mapped[str | None] = mapped_column(String(50))
    unit_of_measure: Mapped[str | None] = mapped_column(String(50))
    standard_size: Mapped[StandardSize | None] = mapped_column(str_enum(StandardSize))
    style: Mapped[GarmentStyle | None] = mapped_column(str_enum(GarmentStyle))
    weight: Mapped[float | None] = mapped_column(Float)
    location_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("locations.id", ondelete="SET NULL")
    )
    storage_area_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("storage_areas.id", ondelete="SET NULL")
    )
    station: Mapped[str | None] = mapped_column(String(100))
    condition: Mapped[ItemCondition] = mapped_column(
        str_enum(ItemCondition), default=ItemCondition.GOOD
    )
    status: Mapped[ItemStatus] = mapped_column(str_enum(ItemStatus), default=ItemStatus.AVAILABLE)
    tracking_type: Mapped[TrackingType] = mapped_column(
        str_enum(TrackingType), default=TrackingType.INDIVIDUAL
    )
    quantity: Mapped[int] = mapped_column(Integer, default=1)  # pool: units on hand
    quantity_issued: Mapped[int] = mapped_column(Integer, default=0)  # pool: units out
    min_rank_order: Mapped[int | None] = mapped_column(Integer)
    restricted_to_positions: Mapped[list[str] | None] = mapped_column(JSON)
    custom_fields: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    attachments: Mapped[list[str] | None] = mapped_column(JSON)
    last_inspection_date: Mapped[date | None] = mapped_column(Date)
    next_inspection_due: Mapped[date | None] = mapped_column(Date)
    # The holder of an individual item, kept with its one active assignment (§4).
    assigned_to_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    assigned_date: Mapped[datetime | None] = mapped_column(UtcDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # false once retired
    created_by: Mapped[UUID | None] = mapped_column()


@event.listens_for(InventoryItem, "before_insert")
@event.listens_for(InventoryItem, "before_update")
def _keep_code_keys(
    _mapper: Mapper[InventoryItem], _connection: Connection, item: InventoryItem
) -> None:
    # Case-insensitive uniqueness on every database: the keys are lower-cased copies.
    item.barcode_lower = item.barcode.lower() if item.barcode else None
    item.serial_number_lower = item.serial_number.lower() if item.serial_number else None
    item.asset_tag_lower = item.asset_tag.lower() if item.asset_tag else None


class ItemAssignment(IdMixin, TimestampMixin, Base):
    """An individual item held by a member until it is returned."""

    __tablename__ = "item_assignments"
    __table_args__ = (
        # MariaDB has no partial index: `active_item_id` is the item while the assignment is
        # active and NULL once closed, so its unique key allows one active assignment per item.
        # The CHECK keeps it in step with `is_active` for writes that bypass the ORM listener.
        CheckConstraint(
            "(is_active = 1 AND active_item_id IS NOT NULL AND active_item_id = item_id)"
            " OR (is_active = 0 AND active_item_id IS NULL)",
            name="active_item",
        ),
        Index("ix_item_assignments_org_item", "organization_id", "item_id"),
        Index("ix_item_assignments_org_user_active", "organization_id", "user_id", "is_active"),
    )

    organization_id: Mapped[UUID] = _org_column()
    item_id: Mapped[UUID] = mapped_column(ForeignKey("inventory_items.id", ondelete="CASCADE"))
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    assignment_type: Mapped[AssignmentType] = mapped_column(
        str_enum(AssignmentType), default=AssignmentType.PERMANENT
    )
    assigned_date: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    expected_return_date: Mapped[datetime | None] = mapped_column(UtcDateTime)
    returned_date: Mapped[datetime | None] = mapped_column(UtcDateTime)
    assigned_by: Mapped[UUID | None] = mapped_column()
    returned_by: Mapped[UUID | None] = mapped_column()
    assignment_reason: Mapped[str | None] = mapped_column(Text)
    return_condition: Mapped[ItemCondition | None] = mapped_column(str_enum(ItemCondition))
    return_notes: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    active_item_id: Mapped[UUID | None] = mapped_column(unique=True)


class ItemIssuance(IdMixin, TimestampMixin, Base):
    """Units of a pool item out with a member; partial returns lower `quantity_issued`."""

    __tablename__ = "item_issuances"
    __table_args__ = (
        CheckConstraint("quantity_issued >= 1", name="quantity_issued"),
        Index("ix_item_issuances_org_item", "organization_id", "item_id", "is_returned"),
        Index("ix_item_issuances_org_user", "organization_id", "user_id", "is_returned"),
    )

    organization_id: Mapped[UUID] = _org_column()
    item_id: Mapped[UUID] = mapped_column(ForeignKey("inventory_items.id", ondelete="CASCADE"))
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    quantity_issued: Mapped[int] = mapped_column(Integer, default=1)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    returned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    issued_by: Mapped[UUID | None] = mapped_column()
    returned_by: Mapped[UUID | None] = mapped_column()
    issue_reason: Mapped[str | None] = mapped_column(Text)
    return_condition: Mapped[ItemCondition | None] = mapped_column(str_enum(ItemCondition))
    return_notes: Mapped[str | None] = mapped_column(Text)
    is_returned: Mapped[bool] = mapped_column(Boolean, default=False)
    # The item's replacement cost (else purchase price) when issued.
    unit_cost_at_issuance: Mapped[Decimal | None] = mapped_column(Money)
    charge_status: Mapped[ChargeStatus] = mapped_column(
        str_enum(ChargeStatus), default=ChargeStatus.NONE
    )
    charge_amount: Mapped[Decimal | None] = mapped_column(Money)


class CheckoutRecord(IdMixin, TimestampMixin, Base):
    """A temporary loan of an individual item."""

    __tablename__ = "checkout_records"
    __table_args__ = (
        # As for assignments: `open_item_id` is the item while not returned, else NULL, so its
        # unique key allows one open checkout per item without a partial index.
        CheckConstraint(
            "(is_returned = 0 AND open_item_id IS NOT NULL AND open_item_id = item_id)"
            " OR (is_returned = 1 AND open_item_id IS NULL)",
            name="open_item",
        ),
        Index("ix_checkout_records_org_item", "organization_id", "item_id"),
        Index("ix_checkout_records_org_user_open", "organization_id", "user_id", "is_returned"),
        Index(
            "ix_checkout_records_org_open_due",
            "organization_id",
            "is_returned",
            "expected_return_at",
        ),
    )

    organization_id: Mapped[UUID] = _org_column()
    item_id: Mapped[UUID] = mapped_column(ForeignKey("inventory_items.id", ondelete="CASCADE"))
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    checked_out_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    expected_return_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    checked_out_by: Mapped[UUID | None] = mapped_column()
    checked_in_by: Mapped[UUID | None] = mapped_column()
    checkout_reason: Mapped[str | None] = mapped_column(Text)
    checkout_condition: Mapped[ItemCondition | None] = mapped_column(str_enum(ItemCondition))
    return_condition: Mapped[ItemCondition | None] = mapped_column(str_enum(ItemCondition))
    damage_notes: Mapped[str | None] = mapped_column(Text)
    is_returned: Mapped[bool] = mapped_column(Boolean, default=False)
    # Refreshed only by the daily job; reads derive overdue live (§5.9).
    is_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    open_item_id: Mapped[UUID | None] = mapped_column(unique=True)


@event.listens_for(ItemAssignment, "before_insert")
@event.listens_for(ItemAssignment, "before_update")
def _keep_active_item(
    _mapper: Mapper[ItemAssignment], _connection: Connection, row: ItemAssignment
) -> None:
    # None until the INSERT applies the column default (active).
    row.active_item_id = None if row.is_active is False else row.item_id


@event.listens_for(CheckoutRecord, "before_insert")
@event.listens_for(CheckoutRecord, "before_update")
def _keep_open_item(
    _mapper: Mapper[CheckoutRecord], _connection: Connection, row: CheckoutRecord
) -> None:
    # None until the INSERT applies the column default (open).
    row.open_item_id = row.item_id if not row.is_returned else None


class InventoryBarcodeCounter(TimestampMixin, Base):
    """The organization's next generated barcode number, locked while it is taken (§5.6)."""

    __tablename__ = "inventory_barcode_counters"

    organization_id: Mapped[UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    prefix: Mapped[str] = mapped_column(String(20), default="INV-")
    next_number: Mapped[int] = mapped_column(Integer, default=1)
