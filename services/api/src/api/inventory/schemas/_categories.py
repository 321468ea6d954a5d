"""Category bodies and the category shape (spec inventory.md §6.1, §7.1)."""

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from api.inventory.schemas._common import Count, Document, Name, Notes
from shared.models import ItemType


class CategoryCreate(msgspec.Struct, kw_only=True):
    """A new category; `metadata` is free-form."""

    name: Name
    item_type: ItemType
    description: Notes | None = None
    parent_category_id: UUID | None = None
    requires_assignment: bool = False
    requires_serial_number: bool = False
    requires_maintenance: bool = False
    nfpa_tracking_enabled: bool = False
    low_stock_threshold: Count | None = None
    extra_data: Document | None = msgspec.field(name="metadata", default=None)


class CategoryUpdate(msgspec.Struct, kw_only=True):
    """A partial category edit: absent fields stay, null clears the optional ones."""

    name: Name | UnsetType = UNSET
    item_type: ItemType | UnsetType = UNSET
    description: Notes | UnsetType | None = UNSET
    parent_category_id: UUID | UnsetType | None = UNSET
    requires_assignment: bool | UnsetType = UNSET
    requires_serial_number: bool | UnsetType = UNSET
    requires_maintenance: bool | UnsetType = UNSET
    nfpa_tracking_enabled: bool | UnsetType = UNSET
    low_stock_threshold: Count | UnsetType | None = UNSET
    extra_data: Document | UnsetType | None = msgspec.field(name="metadata", default=UNSET)
    active: bool | UnsetType = UNSET


class CategoryRead(msgspec.Struct):
    """A category as the API answers it."""

    id: UUID
    organization_id: UUID
    name: str
    description: str | None
    item_type: ItemType
    parent_category_id: UUID | None
    requires_assignment: bool
    requires_serial_number: bool
    requires_maintenance: bool
    low_stock_threshold: int | None
    nfpa_tracking_enabled: bool
    extra_data: dict[str, Any] | None = msgspec.field(name="metadata")
    active: bool
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
