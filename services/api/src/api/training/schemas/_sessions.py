"""Bodies and shapes of training sessions (issue 14 item 4, spec training.md §7): the event's
own fields and what the session's records get."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from api.training.schemas._common import Hours, Line255, Months, Name, Notes
from shared.models import TrainingType
from shared.types import as_utc, line, name

Title = Annotated[str, name(200)]
Place = Annotated[str, line(300)]


class SessionCreate(msgspec.Struct, kw_only=True):
    """A training session and its `training` event. The course, when named, gives the name,
    type, credit hours, instructor and expiration months the body leaves out."""

    title: Title
    start_datetime: datetime
    end_datetime: datetime
    description: Notes | None = None
    location: Place | None = None
    course_id: UUID | None = None
    course_name: Name | None = None
    category_id: UUID | None = None
    training_type: TrainingType | None = None
    credit_hours: Hours | None = None
    instructor: Line255 | None = None
    issues_certification: bool = False
    expiration_months: Months | None = None
    issuing_agency: Line255 | None = None
    auto_create_records: bool = True

    def __post_init__(self) -> None:
        self.start_datetime = as_utc(self.start_datetime)
        self.end_datetime = as_utc(self.end_datetime)
        if self.end_datetime <= self.start_datetime:
            raise ValueError("end_datetime must be after start_datetime")
        if self.course_id is None and self.course_name is None:
            raise ValueError("course_name is required without a course_id")


class SessionRead(msgspec.Struct, kw_only=True):
    """A training session as the API answers it, with its event's id."""

    id: UUID
    organization_id: UUID
    event_id: UUID
    course_id: UUID | None
    course_name: str
    category_id: UUID | None
    training_type: TrainingType
    credit_hours: float | None
    instructor: str | None
    issues_certification: bool
    expiration_months: int | None
    issuing_agency: str | None
    auto_create_records: bool
    finalized_at: datetime | None
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime


class SessionFinalized(msgspec.Struct, kw_only=True):
    """What a session's finalize completed: one record per member checked in."""

    session_id: UUID
    event_id: UUID
    completion_date: date
    completed_count: int
    record_ids: list[UUID]
