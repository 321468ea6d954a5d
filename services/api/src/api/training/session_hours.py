"""The hours a training session credits a member (spec training.md §7, events.md §6, §8.8).
Pure: no database, no web framework.

Training reads the attendance rows of the events area's model, never its code, so the rules it
shares with the calendar (whole minutes, floored; hours to two places) are stated again here.
"""

from datetime import datetime, timedelta
from typing import Protocol

MINUTE = timedelta(minutes=1)
MINUTES_PER_HOUR = 60
HOURS_PLACES = 2


class Attendance(Protocol):
    """What the session's finalize reads of an attendance row; EventRSVP fits it as is."""

    @property
    def checked_in_at(self) -> datetime | None: ...
    @property
    def checked_out_at(self) -> datetime | None: ...
    @property
    def override_check_in_at(self) -> datetime | None: ...
    @property
    def override_check_out_at(self) -> datetime | None: ...
    @property
    def override_duration_minutes(self) -> int | None: ...


def hours_of(minutes: int) -> float:
    """Minutes as training hours: minutes / 60 rounded to 2 places (§8.8)."""
    return round(minutes / MINUTES_PER_HOUR, HOURS_PLACES)


def _between(start: datetime, end: datetime) -> int:
    """Whole minutes from `start` to `end`, never negative."""
    return max(0, (end - start) // MINUTE)


def attended_minutes(row: Attendance) -> int | None:
    """The row's minutes by the session finalize's priority (§7): the override duration, else
    both override times, else the real check-in and check-out when both are there; None when
    none of these is known (the member never checked out)."""
    if row.override_duration_minutes is not None:
        return row.override_duration_minutes
    if row.override_check_in_at is not None and row.override_check_out_at is not None:
        return _between(row.override_check_in_at, row.override_check_out_at)
    if row.checked_in_at is not None and row.checked_out_at is not None:
        return _between(row.checked_in_at, row.checked_out_at)
    return None


def session_hours(row: Attendance, credit_hours: float | None) -> float:
    """The hours a finalized session credits the member: their attended minutes in hours, else
    the session's credit hours (0 when it has none). A member who never checked out gets the
    credit hours, overwriting what the event's finalize stored (§7)."""
    minutes = attended_minutes(row)
    if minutes is None:
        return credit_hours or 0.0
    return hours_of(minutes)
