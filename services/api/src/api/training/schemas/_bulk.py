"""The bulk record body and its per-row result (spec training.md §4.2)."""

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import Meta

from api.training.schemas._common import (
    Code,
    Hours,
    Line100,
    Line255,
    Name,
    Notes,
    Percent,
    check_dates,
)
from shared.models import TrainingStatus, TrainingType

MAX_ROWS = 500


class BulkEntry(msgspec.Struct, kw_only=True):
    """One row of a bulk entry; its enums are checked with the body (§4.2 [fix])."""

    user_id: UUID
    course_name: Name
    hours_completed: Hours
    course_code: Code | None = None
    course_id: UUID | None = None
    category_id: UUID | None = None
    training_type: TrainingType = TrainingType.CONTINUING_EDUCATION
    completion_date: date | None = None
    expiration_date: date | None = None
    credit_hours: Hours | None = None
    certification_number: Line100 | None = None
    issuing_agency: Line255 | None = None
    status: TrainingStatus = TrainingStatus.COMPLETED
    score: Percent | None = None
    passing_score: Percent | None = None
    passed: bool | None = None
    instructor: Line255 | None = None
    location: Line255 | None = None
    notes: Notes | None = None

    def __post_init__(self) -> None:
        check_dates(self, "completion_date", "expiration_date")


class BulkRequest(msgspec.Struct, kw_only=True):
    """Up to 500 rows written in one transaction. A duplicate is skipped unless
    `override_duplicates` (`skip_duplicates` changes nothing: skipping is the default)."""

    records: Annotated[list[BulkEntry], Meta(min_length=1, max_length=MAX_ROWS)]
    skip_duplicates: bool = False
    override_duplicates: bool = False


class BulkDuplicate(msgspec.Struct):
    """A row that matched an existing record (or an earlier row of the same request)."""

    user_id: UUID
    course_name: str
    completion_date: date | None
    existing_record_id: UUID
    existing_completion_date: date | None
    message: str


class BulkResult(msgspec.Struct):
    """What became of each row: created, skipped as a duplicate, or failed with a reason."""

    total: int
    created: int
    skipped: int
    failed: int
    duplicate_warnings: list[BulkDuplicate]
    errors: list[str]
    created_record_ids: list[str]
