"""The storage-area shape (spec inventory.md §6.9 #31, §7.7)."""

from datetime import datetime
from uuid import UUID

import msgspec

from shared.models import StorageType


class StorageAreaRead(msgspec.Struct, kw_only=True):
    """A storage area with its nested areas (empty in the flat list)."""

    id: UUID
    organization_id: UUID
    name: str
    label: str | None
    description: str | None
    storage_type: StorageType
    parent_id: UUID | None
    location_id: UUID | None
    barcode: str | None
    sort_order: int
    is_active: bool
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    children: list["StorageAreaRead"] = msgspec.field(default_factory=list)
    item_count: int = 0
    location_name: str | None = None
    parent_name: str | None = None
