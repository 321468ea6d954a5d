"""Record bodies and shapes (spec training.md §2 TrainingRecord, §4.2)."""

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from api.training.schemas._common import (
    Attachments,
    Code,
    Hours,
    Line100,
    Line255,
    Name,
    Notes,
    Score,
    check_dates,
)
from shared.models import TrainingStatus, TrainingType

DATES = ("scheduled_date", "completion_date", "expiration_date")


class RecordCreate(msgspec.Struct, kw_only=True):
    """A new record of one member; rank and station default to the member's profile."""

    user_id: UUID
    course_name: Name
    training_type: TrainingType
    hours_completed: Hours
    course_id: UUID | None = None
    category_id: UUID | None = None
    course_code: Code | None = None
    scheduled_date: date | None = None
    completion_date: date | None = None
    expiration_date: date | None = None
    credit_hours: Hours | None = None
    certification_number: Line100 | None = None
    issuing_agency: Line255 | None = None
    status: TrainingStatus = TrainingStatus.SCHEDULED
    score: Score | None = None
    passing_score: Score | None = None
    passed: bool | None = None
    instructor: Line255 | None = None
    location: Line255 | None = None
    notes: Notes | None = None
    attachments: Attachments | None = None
    rank_at_completion: Line100 | None = None
    station_at_completion: Line100 | None = None

    def __post_init__(self) -> None:
        check_dates(self, *DATES)


class RecordUpdate(msgspec.Struct, kw_only=True):
    """A partial record edit: absent fields stay, null clears the optional ones. Nothing is
    recomputed but a completion date for a record becoming `completed` (§4.2 [fix])."""

    course_name: Name | UnsetType = UNSET
    training_type: TrainingType | UnsetType = UNSET
    hours_completed: Hours | UnsetType = UNSET
    status: TrainingStatus | UnsetType = UNSET
    course_id: UUID | UnsetType | None = UNSET
    category_id: UUID | UnsetType | None = UNSET
    course_code: Code | UnsetType | None = UNSET
    scheduled_date: date | UnsetType | None = UNSET
    completion_date: date | UnsetType | None = UNSET
    expiration_date: date | UnsetType | None = UNSET
    credit_hours: Hours | UnsetType | None = UNSET
    certification_number: Line100 | UnsetType | None = UNSET
    issuing_agency: Line255 | UnsetType | None = UNSET
    score: Score | UnsetType | None = UNSET
    passing_score: Score | UnsetType | None = UNSET
    passed: bool | UnsetType | None = UNSET
    instructor: Line255 | UnsetType | None = UNSET
    location: Line255 | UnsetType | None = UNSET
    notes: Notes | UnsetType | None = UNSET
    attachments: Attachments | UnsetType | None = UNSET
    rank_at_completion: Line100 | UnsetType | None = UNSET
    station_at_completion: Line100 | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        check_dates(self, *DATES)


class AttachmentRead(msgspec.Struct, omit_defaults=True):
    """A record's file as the API shows it: its name and facts, never the server's path."""

    index: int
    file_name: str
    file_type: str | None = None
    file_size: int | None = None
    uploaded_at: str | None = None


class RecordRead(msgspec.Struct, kw_only=True):
    """A record as the API answers it."""

    id: UUID
    organization_id: UUID
    user_id: UUID
    course_id: UUID | None
    category_id: UUID | None
    course_name: str
    course_code: str | None
    training_type: TrainingType
    scheduled_date: date | None
    completion_date: date | None
    expiration_date: date | None
    hours_completed: float
    credit_hours: float | None
    certification_number: str | None
    issuing_agency: str | None
    status: TrainingStatus
    score: float | None
    passing_score: float | None
    passed: bool | None
    instructor: str | None
    location: str | None
    location_id: UUID | None
    apparatus_id: UUID | None
    external_provider_id: UUID | None
    external_record_id: str | None
    notes: str | None
    attachments: list[AttachmentRead]
    rank_at_completion: str | None
    station_at_completion: str | None
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None


class DuplicateWarning(msgspec.Struct):
    """A likely duplicate of a new record: same member and course name, completed within a
    day of it (§4.2)."""

    message: str
    existing_record_id: UUID


class CreatedRecordRead(RecordRead, kw_only=True):
    """A new record; `_duplicate_warning` only when it looks like a duplicate."""

    duplicate_warning: DuplicateWarning | UnsetType = msgspec.field(
        name="_duplicate_warning", default=UNSET
    )


@dataclass(frozen=True)
class RecordFilters:
    """The record list's query (§4.2): completion dates inclusive."""

    user_id: UUID | None = None
    status: TrainingStatus | None = None
    start_date: date | None = None
    end_date: date | None = None
