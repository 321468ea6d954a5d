"""Bodies and shapes of leaves of absence and training waivers (spec leaves-waivers-ranks-errors.md
§1.1, §1.2, §2)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from api.training.schemas._common import IdList, Notes, check_dates
from shared.models import LeaveType
from shared.types import line

# Any text is taken: a type the list does not know is stored as `other` (§1.1), never a 422.
LeaveTypeText = Annotated[str, line(100)]


def leave_type_of(value: str | None) -> LeaveType:
    """The stored type of a sent one: its value in any case, `other` when unknown (§1.1)."""
    if value is None:
        return LeaveType.LEAVE_OF_ABSENCE
    try:
        return LeaveType(value)
    except ValueError:
        return LeaveType.OTHER


class LeaveCreate(msgspec.Struct, kw_only=True):
    """A new leave of a member; unless exempt, it waives training for the same dates."""

    user_id: UUID
    leave_type: LeaveTypeText | None = None
    reason: Notes | None = None
    start_date: date
    end_date: date | None = None  # null: open-ended ("Permanent")
    exempt_from_training_waiver: bool = False

    def __post_init__(self) -> None:
        check_dates(self, "start_date", "end_date")


class LeaveRead(msgspec.Struct, kw_only=True):
    """A leave as the API answers it."""

    id: UUID
    organization_id: UUID
    user_id: UUID
    leave_type: LeaveType
    reason: str | None
    start_date: date
    end_date: date | None
    granted_by: UUID | None
    granted_at: datetime | None
    active: bool
    exempt_from_training_waiver: bool
    linked_training_waiver_id: UUID | None
    created_at: datetime
    updated_at: datetime


class WaiverCreate(msgspec.Struct, kw_only=True):
    """A new training waiver of a member; `requirement_ids` null or empty waives them all."""

    user_id: UUID
    waiver_type: LeaveTypeText = "leave_of_absence"
    reason: Notes | None = None
    start_date: date
    end_date: date | None = None
    requirement_ids: IdList | None = None

    def __post_init__(self) -> None:
        check_dates(self, "start_date", "end_date")


class WaiverRead(msgspec.Struct, kw_only=True):
    """A waiver as the API answers it."""

    id: UUID
    organization_id: UUID
    user_id: UUID
    waiver_type: LeaveType
    reason: str | None
    start_date: date
    end_date: date | None
    requirement_ids: list[UUID] | None
    granted_by: UUID | None
    granted_at: datetime | None
    active: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PeriodFilters:
    """What a list of leaves or waivers keeps: one member's, active ones only, a page."""

    user_id: UUID | None
    active_only: bool
    skip: int
    limit: int
