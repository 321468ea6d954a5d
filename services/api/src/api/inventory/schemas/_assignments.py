"""Assignment bodies and shape (spec inventory.md §6.3, §7.3)."""

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

from api.inventory.schemas._common import Notes
from shared.models import AssignmentType, ItemCondition

# The conditions an item may come back in (§2): unassign, check-in, pool and batch returns.
ReturnCondition = Literal["excellent", "good", "fair", "poor", "damaged"]


class AssignRequest(msgspec.Struct, kw_only=True):
    """Give an individual item to a member; the path names the item (a body `item_id` the
    UI sends must be the same)."""

    user_id: UUID
    item_id: UUID | None = None
    assignment_type: AssignmentType = AssignmentType.PERMANENT
    assignment_reason: Notes | None = None
    expected_return_date: datetime | None = None


class UnassignRequest(msgspec.Struct, kw_only=True):
    """Take an item back from its holder, in the condition it came back in."""

    return_condition: ReturnCondition | None = None
    return_notes: Notes | None = None


class AssignmentRead(msgspec.Struct, kw_only=True):
    """An assignment (§7.3)."""

    id: UUID
    organization_id: UUID
    item_id: UUID
    user_id: UUID
    assignment_type: AssignmentType
    assignment_reason: str | None
    expected_return_date: datetime | None
    assigned_date: datetime
    returned_date: datetime | None
    assigned_by: UUID | None
    returned_by: UUID | None
    return_condition: ItemCondition | None
    return_notes: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime
