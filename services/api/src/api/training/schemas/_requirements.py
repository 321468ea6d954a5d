"""Requirement bodies and shapes (spec training.md §2 TrainingRequirement, §4.3)."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.training.schemas._common import (
    Code,
    Hours,
    IdList,
    Line255,
    Name,
    Notes,
    Percent,
    check_dates,
)
from shared.models import (
    DueDateType,
    RequirementFrequency,
    RequirementSource,
    RequirementType,
    TrainingType,
)
from shared.types import line, name

Count = Annotated[int, Meta(ge=0, le=100_000)]
Attempts = Annotated[int, Meta(ge=1, le=1000)]
Year = Annotated[int, Meta(ge=2020, le=2100)]
Days = Annotated[int, Meta(ge=1, le=3650)]
RollingMonths = Annotated[int, Meta(ge=1, le=120)]
Month = Annotated[int, Meta(ge=1, le=12)]
Day = Annotated[int, Meta(ge=1, le=31)]
Words = Annotated[list[Annotated[str, line(255)]], Meta(max_length=500)]
StepId = Annotated[str, line(64)]
StepText = Annotated[str, name(500)]
DATES = ("start_date", "due_date")


class ChecklistItem(msgspec.Struct, kw_only=True):
    """One step of a checklist requirement; a bare string in a body is its text (§2)."""

    text: StepText
    id: StepId | None = None
    member_visible: bool = True
    member_can_complete: bool = False


Checklist = Annotated[list[ChecklistItem | StepText], Meta(max_length=200)]


class RequirementCreate(msgspec.Struct, kw_only=True):
    """A new requirement; its type's target must be set (422) and its courses the
    organization's (400)."""

    name: Name
    requirement_type: RequirementType
    frequency: RequirementFrequency
    description: Notes | None = None
    source: RequirementSource = RequirementSource.DEPARTMENT
    registry_name: Line255 | None = None
    registry_code: Code | None = None
    is_editable: bool = True
    allows_external_credit: bool = False
    training_type: TrainingType | None = None
    required_hours: Hours | None = None
    required_courses: IdList | None = None
    required_shifts: Count | None = None
    required_calls: Count | None = None
    required_call_types: Words | None = None
    required_skills: Words | None = None
    checklist_items: Checklist | None = None
    passing_score: Percent | None = None
    max_attempts: Attempts | None = None
    year: Year | None = None
    applies_to_all: bool = True
    required_roles: IdList | None = None
    required_positions: Words | None = None
    required_membership_types: Words | None = None
    start_date: date | None = None
    due_date: date | None = None
    time_limit_days: Days | None = None
    due_date_type: DueDateType = DueDateType.CALENDAR_PERIOD
    rolling_period_months: RollingMonths | None = None
    period_start_month: Month = 1
    period_start_day: Day = 1
    period_end_month: Month | None = None
    period_end_day: Day | None = None
    include_current_month: bool | None = None
    recency_days: Days | None = None
    category_ids: IdList | None = None

    def __post_init__(self) -> None:
        check_dates(self, *DATES)


class RequirementUpdate(msgspec.Struct, kw_only=True):
    """A partial requirement edit (plus `active`): absent fields stay, null clears the optional
    ones. Targets are not checked again; the answer's `config_warning` flags a missing one."""

    name: Name | UnsetType = UNSET
    requirement_type: RequirementType | UnsetType = UNSET
    frequency: RequirementFrequency | UnsetType = UNSET
    description: Notes | UnsetType | None = UNSET
    source: RequirementSource | UnsetType = UNSET
    registry_name: Line255 | UnsetType | None = UNSET
    registry_code: Code | UnsetType | None = UNSET
    is_editable: bool | UnsetType = UNSET
    allows_external_credit: bool | UnsetType = UNSET
    training_type: TrainingType | UnsetType | None = UNSET
    required_hours: Hours | UnsetType | None = UNSET
    required_courses: IdList | UnsetType | None = UNSET
    required_shifts: Count | UnsetType | None = UNSET
    required_calls: Count | UnsetType | None = UNSET
    required_call_types: Words | UnsetType | None = UNSET
    required_skills: Words | UnsetType | None = UNSET
    checklist_items: Checklist | UnsetType | None = UNSET
    passing_score: Percent | UnsetType | None = UNSET
    max_attempts: Attempts | UnsetType | None = UNSET
    year: Year | UnsetType | None = UNSET
    applies_to_all: bool | UnsetType = UNSET
    required_roles: IdList | UnsetType | None = UNSET
    required_positions: Words | UnsetType | None = UNSET
    required_membership_types: Words | UnsetType | None = UNSET
    start_date: date | UnsetType | None = UNSET
    due_date: date | UnsetType | None = UNSET
    time_limit_days: Days | UnsetType | None = UNSET
    due_date_type: DueDateType | UnsetType = UNSET
    rolling_period_months: RollingMonths | UnsetType | None = UNSET
    period_start_month: Month | UnsetType = UNSET
    period_start_day: Day | UnsetType = UNSET
    period_end_month: Month | UnsetType | None = UNSET
    period_end_day: Day | UnsetType | None = UNSET
    include_current_month: bool | UnsetType | None = UNSET
    recency_days: Days | UnsetType | None = UNSET
    category_ids: IdList | UnsetType | None = UNSET
    active: bool | UnsetType = UNSET

    def __post_init__(self) -> None:
        check_dates(self, *DATES)


class ChecklistItemRead(msgspec.Struct):
    """A checklist step as the API answers it."""

    id: str | None
    text: str
    member_visible: bool
    member_can_complete: bool


class RequirementRead(msgspec.Struct, kw_only=True):
    """A requirement as the API answers it; `config_warning` names a missing target."""

    id: UUID
    organization_id: UUID
    name: str
    description: str | None
    requirement_type: RequirementType
    source: RequirementSource
    registry_name: str | None
    registry_code: str | None
    is_editable: bool
    allows_external_credit: bool
    training_type: TrainingType | None
    required_hours: float | None
    required_courses: list[str] | None
    required_shifts: int | None
    required_calls: int | None
    required_call_types: list[str] | None
    required_skills: list[str] | None
    checklist_items: list[ChecklistItemRead] | None
    passing_score: float | None
    max_attempts: int | None
    frequency: RequirementFrequency
    year: int | None
    applies_to_all: bool
    required_roles: list[str] | None
    required_positions: list[str] | None
    required_membership_types: list[str] | None
    start_date: date | None
    due_date: date | None
    time_limit_days: int | None
    due_date_type: DueDateType
    rolling_period_months: int | None
    period_start_month: int
    period_start_day: int
    period_end_month: int | None
    period_end_day: int | None
    include_current_month: bool | None
    recency_days: int | None
    category_ids: list[str] | None
    active: bool
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    config_warning: str | None
