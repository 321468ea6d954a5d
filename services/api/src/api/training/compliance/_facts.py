"""The plain facts the engine reads: a requirement, a member, a record, a waived period.

Callers map their rows to these once; the engine never sees a database row, so every rule is
testable with literals. Enum-valued fields are `str`: a `StrEnum` member passes as is.
"""

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

COMPLETED = "completed"  # the only record status that ever counts (spec §8.1)
IN_PROGRESS = "in_progress"
DEFAULT_MEMBERSHIP_TYPE = "active"  # a member without a membership type reads as this (§5.1)
ROLLING = "rolling"


class RequirementType(enum.StrEnum):
    """`requirement_type` values the engine branches on (spec §2)."""

    HOURS = "hours"
    COURSES = "courses"
    CERTIFICATION = "certification"
    SHIFTS = "shifts"
    CALLS = "calls"


class Frequency(enum.StrEnum):
    """`frequency` values (spec §2)."""

    ANNUAL = "annual"
    BIANNUAL = "biannual"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"
    ONE_TIME = "one_time"


class CellStatus(enum.StrEnum):
    """A member's status on one requirement (the matrix cell, spec §2 derived enums)."""

    COMPLETED = "completed"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Requirement:
    """What the engine reads of a training requirement (spec §2 TrainingRequirement)."""

    id: UUID
    name: str
    requirement_type: str
    frequency: str
    active: bool = True
    training_type: str | None = None
    required_hours: float | None = None
    required_courses: frozenset[UUID] = frozenset()
    required_shifts: int | None = None
    required_calls: int | None = None
    registry_code: str | None = None
    year: int | None = None
    applies_to_all: bool = True
    required_roles: frozenset[UUID] = frozenset()
    required_membership_types: frozenset[str] = frozenset()
    due_date: date | None = None
    due_date_type: str = "calendar_period"
    rolling_period_months: int | None = None
    period_start_month: int | None = 1
    period_start_day: int | None = 1
    period_end_month: int | None = None
    period_end_day: int | None = None
    include_current_month: bool | None = None  # None: the organization's default decides
    recency_days: int | None = None
    category_ids: frozenset[UUID] = frozenset()


@dataclass(frozen=True, slots=True)
class Member:
    """What applicability reads of a member (spec §5.1)."""

    membership_type: str | None = None
    role_ids: frozenset[UUID] = frozenset()
    compliance_exempt: bool = False


@dataclass(frozen=True, slots=True)
class Record:
    """What the engine reads of a training record (spec §2 TrainingRecord).

    `user_id` matters only to the per-member supersede rule when records of several members are
    passed together (the org-wide expiring list); `id` lets a caller find the row again.
    """

    status: str
    completion_date: date | None = None
    expiration_date: date | None = None
    hours_completed: float = 0.0
    training_type: str | None = None
    course_id: UUID | None = None
    course_name: str = ""
    category_id: UUID | None = None
    certification_number: str | None = None
    user_id: UUID | None = None
    id: UUID | None = None

    @property
    def completed(self) -> bool:
        """Only completed records count anywhere (spec §8.1)."""
        return self.status == COMPLETED


@dataclass(frozen=True, slots=True)
class WaiverPeriod:
    """An active training waiver or leave of absence, as the proration reads it (addendum §2.2).

    `end` None is open-ended. `requirement_ids` None or empty covers every requirement.
    `training_exempt` marks a leave with `exempt_from_training_waiver`: it covers meetings and
    shifts only, so the engine skips it. `active` False (deactivated) is skipped too.
    """

    start: date
    end: date | None = None
    requirement_ids: frozenset[UUID] | None = None
    training_exempt: bool = False
    active: bool = True

    def covers(self, requirement_id: UUID) -> bool:
        """True when this period waives the given requirement at all."""
        if not self.active or self.training_exempt:
            return False
        return not self.requirement_ids or requirement_id in self.requirement_ids


def uuid_set(values: Iterable[UUID | str] | None) -> frozenset[UUID]:
    """Ids from a JSON list column (strings or UUIDs); malformed entries are dropped, not fatal."""
    found: set[UUID] = set()
    for value in values or ():
        if isinstance(value, UUID):
            found.add(value)
            continue
        try:
            found.add(UUID(str(value)))
        except ValueError:
            continue
    return frozenset(found)
