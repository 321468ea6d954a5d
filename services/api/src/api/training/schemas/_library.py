"""Category and course bodies and shapes (spec training.md §2, §4.1)."""

from datetime import datetime
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from api.training.schemas._common import (
    Code,
    Color,
    Hours,
    IdList,
    Line255,
    Lines,
    Months,
    Name,
    Notes,
    Participants,
    SortOrder,
)
from shared.models import TrainingType


class CategoryCreate(msgspec.Struct, kw_only=True):
    """A new category; its parent must be one of the organization's."""

    name: Name
    code: Code | None = None
    description: Notes | None = None
    color: Color | None = None
    parent_category_id: UUID | None = None
    sort_order: SortOrder = 0
    icon: Code | None = None


class CategoryUpdate(msgspec.Struct, kw_only=True):
    """A partial category edit: absent fields stay, null clears the optional ones."""

    name: Name | UnsetType = UNSET
    code: Code | UnsetType | None = UNSET
    description: Notes | UnsetType | None = UNSET
    color: Color | UnsetType | None = UNSET
    parent_category_id: UUID | UnsetType | None = UNSET
    sort_order: SortOrder | UnsetType = UNSET
    icon: Code | UnsetType | None = UNSET
    active: bool | UnsetType = UNSET


class CategoryRead(msgspec.Struct):
    """A category as the API answers it."""

    id: UUID
    organization_id: UUID
    name: str
    code: str | None
    description: str | None
    color: str | None
    parent_category_id: UUID | None
    sort_order: int
    icon: str | None
    active: bool
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None


class CourseCreate(msgspec.Struct, kw_only=True):
    """A new course; its prerequisites and categories must be the organization's."""

    name: Name
    training_type: TrainingType
    code: Code | None = None
    description: Notes | None = None
    duration_hours: Hours | None = None
    credit_hours: Hours | None = None
    prerequisites: IdList | None = None
    expiration_months: Months | None = None
    instructor: Line255 | None = None
    max_participants: Participants | None = None
    materials_required: Lines | None = None
    category_ids: IdList | None = None


class CourseUpdate(msgspec.Struct, kw_only=True):
    """A partial course edit (`active: false` deactivates; courses have no DELETE)."""

    name: Name | UnsetType = UNSET
    training_type: TrainingType | UnsetType = UNSET
    code: Code | UnsetType | None = UNSET
    description: Notes | UnsetType | None = UNSET
    duration_hours: Hours | UnsetType | None = UNSET
    credit_hours: Hours | UnsetType | None = UNSET
    prerequisites: IdList | UnsetType | None = UNSET
    expiration_months: Months | UnsetType | None = UNSET
    instructor: Line255 | UnsetType | None = UNSET
    max_participants: Participants | UnsetType | None = UNSET
    materials_required: Lines | UnsetType | None = UNSET
    category_ids: IdList | UnsetType | None = UNSET
    active: bool | UnsetType = UNSET


class CourseRead(msgspec.Struct):
    """A course as the API answers it."""

    id: UUID
    organization_id: UUID
    name: str
    code: str | None
    description: str | None
    training_type: TrainingType
    duration_hours: float | None
    credit_hours: float | None
    prerequisites: list[UUID] | None
    expiration_months: int | None
    instructor: str | None
    max_participants: int | None
    materials_required: list[str] | None
    category_ids: list[UUID] | None
    active: bool
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
