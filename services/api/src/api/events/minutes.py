"""Attendance minutes (spec events.md §4.5, §4.6, §6, §8.8): what a row counts, what finalize
and check-out write, and the hours handed to training. Pure: no database, no web framework.

Minutes are whole and floored; early check-ins are not clamped to the start (§6).
"""

from datetime import datetime, timedelta
from typing import Protocol

MINUTE = timedelta(minutes=1)
MINUTES_PER_HOUR = 60
HOURS_PLACES = 2


class AttendanceRow(Protocol):
    """What the rules read of an RSVP row; the EventRSVP model fits it as is."""

    @property
    def checked_in(self) -> bool: ...
    @property
    def checked_in_at(self) -> datetime | None: ...
    @property
    def checked_out_at(self) -> datetime | None: ...
    @property
    def attendance_duration_minutes(self) -> int | None: ...
    @property
    def override_check_in_at(self) -> datetime | None: ...
    @property
    def override_check_out_at(self) -> datetime | None: ...
    @property
    def override_duration_minutes(self) -> int | None: ...


def whole_minutes(start: datetime, end: datetime) -> int:
    """max(0, floor((end - start) / 60 s)): an end before the start counts 0, never negative."""
    return max(0, (end - start) // MINUTE)


def check_in_instant(row: AttendanceRow) -> datetime | None:
    """When the member counts as checked in: the organizer's override, else the recorded time."""
    return row.override_check_in_at or row.checked_in_at


def effective_minutes(row: AttendanceRow) -> int | None:
    """The row's credited minutes: the override duration, else both override times' difference,
    else the recorded attendance minutes (None when nothing is known)."""
    if row.override_duration_minutes is not None:
        return row.override_duration_minutes
    if row.override_check_in_at is not None and row.override_check_out_at is not None:
        return whole_minutes(row.override_check_in_at, row.override_check_out_at)
    return row.attendance_duration_minutes


def finalize_end(actual_end_time: datetime | None, end_datetime: datetime) -> datetime:
    """The instant finalize counts up to: the recorded end, else the scheduled one."""
    return actual_end_time or end_datetime


def finalized_minutes(row: AttendanceRow, end: datetime) -> int | None:
    """The minutes finalize writes to `attendance_duration_minutes`, or None to leave the row.

    Only a row checked in, not checked out, with no override duration and no minutes yet is
    written, so finalize is idempotent (§4.5: a second run updates nothing).
    """
    check_in = check_in_instant(row)
    untouched = (
        row.checked_in
        and row.checked_out_at is None
        and row.override_duration_minutes is None
        and row.attendance_duration_minutes is None
    )
    if not untouched or check_in is None:
        return None
    return whole_minutes(check_in, end)


def checkout_minutes(row: AttendanceRow, now: datetime) -> int | None:
    """The minutes a check-out at `now` writes (§4.6), None for a row never checked in.

    Floored at 0 as well: an override check-in the organizer set later than `now` counts 0.
    """
    check_in = check_in_instant(row)
    return None if check_in is None else whole_minutes(check_in, now)


def training_hours(minutes: int) -> float:
    """Hours for the training record: minutes / 60 rounded to 2 places (§8.8)."""
    return round(minutes / MINUTES_PER_HOUR, HOURS_PLACES)


def override_times_valid(check_in: datetime | None, check_out: datetime | None) -> bool:
    """False when the override pair, as merged with the row, ends at or before it starts (400)."""
    return check_in is None or check_out is None or check_out > check_in


def override_duration(
    check_in: datetime | None, check_out: datetime | None, kept: int | None
) -> int | None:
    """The override duration after an override edit that sent no duration (§4.5).

    With both override times set it is the floor of their difference; otherwise the row keeps
    the duration it had. An edit that sends a duration stores that value instead.
    """
    if check_in is not None and check_out is not None:
        return whole_minutes(check_in, check_out)
    return kept
