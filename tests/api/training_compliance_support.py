"""Literals for the compliance engine's tests: a date, an hours requirement, a record."""

from dataclasses import replace
from datetime import date
from typing import Any
from uuid import uuid4

from api.training.compliance import Record, Requirement

TODAY = date(2026, 12, 6)

HOURS = Requirement(
    id=uuid4(), name="CE hours", requirement_type="hours", frequency="annual", required_hours=24
)


def done(
    on: str | None,
    hours: float = 0.0,
    *,
    status: str = "completed",
    expires: str | None = None,
    **changes: Any,
) -> Record:
    """A continuing-education record completed on `on` (YYYY-MM-DD or None)."""
    record = Record(
        status=status,
        completion_date=date.fromisoformat(on) if on else None,
        expiration_date=date.fromisoformat(expires) if expires else None,
        hours_completed=hours,
        course_name="Live Fire Drill",
        training_type="continuing_education",
    )
    return replace(record, **changes)
