"""Facts from stored rows: the one mapping every caller uses, so no caller drops a field.

The protocols name only what the engine reads; the training models (or column-selected rows
with the same names) fit them as they are. JSON id lists go through `uuid_set`.
"""

from collections.abc import Sequence
from datetime import date
from typing import Protocol
from uuid import UUID

from api.training.compliance._facts import Record, Requirement, WaiverPeriod, uuid_set


class RecordRow(Protocol):
    """A training record row (`training_records`)."""

    @property
    def id(self) -> UUID: ...
    @property
    def user_id(self) -> UUID: ...
    @property
    def status(self) -> str: ...
    @property
    def completion_date(self) -> date | None: ...
    @property
    def expiration_date(self) -> date | None: ...
    @property
    def hours_completed(self) -> float: ...
    @property
    def training_type(self) -> str: ...
    @property
    def course_id(self) -> UUID | None: ...
    @property
    def course_name(self) -> str: ...
    @property
    def category_id(self) -> UUID | None: ...
    @property
    def certification_number(self) -> str | None: ...


class RequirementRow(Protocol):
    """A training requirement row (`training_requirements`)."""

    @property
    def id(self) -> UUID: ...
    @property
    def name(self) -> str: ...
    @property
    def requirement_type(self) -> str: ...
    @property
    def frequency(self) -> str: ...
    @property
    def active(self) -> bool: ...
    @property
    def training_type(self) -> str | None: ...
    @property
    def required_hours(self) -> float | None: ...
    @property
    def required_courses(self) -> Sequence[str] | None: ...
    @property
    def required_shifts(self) -> int | None: ...
    @property
    def required_calls(self) -> int | None: ...
    @property
    def registry_code(self) -> str | None: ...
    @property
    def year(self) -> int | None: ...
    @property
    def applies_to_all(self) -> bool: ...
    @property
    def required_roles(self) -> Sequence[str] | None: ...
    @property
    def required_membership_types(self) -> Sequence[str] | None: ...
    @property
    def due_date(self) -> date | None: ...
    @property
    def due_date_type(self) -> str: ...
    @property
    def rolling_period_months(self) -> int | None: ...
    @property
    def period_start_month(self) -> int | None: ...
    @property
    def period_start_day(self) -> int | None: ...
    @property
    def period_end_month(self) -> int | None: ...
    @property
    def period_end_day(self) -> int | None: ...
    @property
    def include_current_month(self) -> bool | None: ...
    @property
    def recency_days(self) -> int | None: ...
    @property
    def category_ids(self) -> Sequence[str] | None: ...


class WaiverRow(Protocol):
    """A training waiver row (`training_waivers`)."""

    @property
    def start_date(self) -> date: ...
    @property
    def end_date(self) -> date | None: ...
    @property
    def requirement_ids(self) -> Sequence[str] | None: ...
    @property
    def active(self) -> bool: ...


class LeaveRow(Protocol):
    """A leave of absence row (`member_leaves_of_absence`)."""

    @property
    def start_date(self) -> date: ...
    @property
    def end_date(self) -> date | None: ...
    @property
    def active(self) -> bool: ...
    @property
    def exempt_from_training_waiver(self) -> bool: ...


def record_of(row: RecordRow) -> Record:
    """The engine's view of one training record."""
    return Record(
        status=row.status,
        completion_date=row.completion_date,
        expiration_date=row.expiration_date,
        hours_completed=row.hours_completed or 0.0,
        training_type=row.training_type,
        course_id=row.course_id,
        course_name=row.course_name or "",
        category_id=row.category_id,
        certification_number=row.certification_number,
        user_id=row.user_id,
        id=row.id,
    )


def requirement_of(row: RequirementRow) -> Requirement:
    """The engine's view of one requirement; malformed ids in its JSON lists are ignored."""
    return Requirement(
        id=row.id,
        name=row.name,
        requirement_type=row.requirement_type,
        frequency=row.frequency,
        active=row.active,
        training_type=row.training_type,
        required_hours=row.required_hours,
        required_courses=uuid_set(row.required_courses),
        required_shifts=row.required_shifts,
        required_calls=row.required_calls,
        registry_code=row.registry_code,
        year=row.year,
        applies_to_all=row.applies_to_all,
        required_roles=uuid_set(row.required_roles),
        required_membership_types=frozenset(row.required_membership_types or ()),
        due_date=row.due_date,
        due_date_type=row.due_date_type,
        rolling_period_months=row.rolling_period_months,
        period_start_month=row.period_start_month,
        period_start_day=row.period_start_day,
        period_end_month=row.period_end_month,
        period_end_day=row.period_end_day,
        include_current_month=row.include_current_month,
        recency_days=row.recency_days,
        category_ids=uuid_set(row.category_ids),
    )


def waiver_period_of(row: WaiverRow) -> WaiverPeriod:
    """A training waiver as a waived period; null or empty requirement ids cover them all, and
    a list of nothing but malformed ids covers none (it never widens to every requirement)."""
    if not row.requirement_ids:
        return WaiverPeriod(row.start_date, row.end_date, active=row.active)
    ids = uuid_set(row.requirement_ids)
    return WaiverPeriod(row.start_date, row.end_date, ids, active=row.active and bool(ids))


def leave_period_of(row: LeaveRow) -> WaiverPeriod:
    """A leave of absence as a waived period; one exempt from the training waiver waives nothing
    (addendum §2.2 #1 [fix])."""
    return WaiverPeriod(
        row.start_date,
        row.end_date,
        training_exempt=row.exempt_from_training_waiver,
        active=row.active,
    )
