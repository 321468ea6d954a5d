"""The occurrences of a recurring series (spec events.md §4.3), on the department's wall clock.

[fix] The original adds fixed UTC steps, so a 19:00 drill drifts to 18:00 or 20:00 across a
daylight-saving change. Here every occurrence keeps the first one's local start time and local
(wall-clock) length in the department's zone, exception dates are local dates, and the series'
end date includes that whole local day. Pure: no database, no web framework.
"""

import calendar
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_OCCURRENCES = 365
WEEKDAYS = range(7)  # 0 = Monday, as Python's date.weekday()
MONTHS = range(1, 13)
LAST = -1
ORDINALS = (1, 2, 3, 4, 5, LAST)
MISSES_ENDING_A_SERIES = 2  # two periods in a row without the nth weekday end the series
PATTERNS = frozenset(
    {
        "daily",
        "weekly",
        "biweekly",
        "monthly",
        "monthly_weekday",
        "annually",
        "annually_weekday",
        "custom",
    }
)
WEEKDAY_PATTERNS = frozenset({"monthly_weekday", "annually_weekday"})
STEP_DAYS = {"daily": 1, "weekly": 7, "biweekly": 14}

NO_OCCURRENCES = "No valid occurrences generated for the given recurrence pattern"
TOO_MANY = f"Too many occurrences (max {MAX_OCCURRENCES}). Please narrow the date range."


class RecurrenceError(Exception):
    """A series with no occurrence or more than 365: the route answers 400 with the message."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Recurrence:
    """How a series repeats: the body's `recurrence_*` fields, with local dates."""

    pattern: str  # a `recurrence_pattern` value; the StrEnum member works as is
    end_date: date | None = None  # the last local date that may hold an occurrence
    rolling: bool = False
    custom_days: Collection[int] | None = None  # weekdays, 0 = Monday
    weekday: int | None = None
    week_ordinal: int | None = None  # 1-5, or -1 for the last
    month: int | None = None
    exceptions: Collection[date] = ()  # local start dates to leave out


def recurrence_problem(rule: Recurrence) -> tuple[str, str] | None:
    """The first 422 problem of the rule as (field, message), or None when it can be expanded."""
    checks: list[tuple[bool, str, str]] = [
        (rule.pattern not in PATTERNS, "recurrence_pattern", "Unknown recurrence pattern"),
        (
            rule.end_date is None and not rule.rolling,
            "recurrence_end_date",
            "recurrence_end_date is required unless rolling_recurrence is true",
        ),
        (
            rule.pattern == "custom" and not rule.custom_days,
            "recurrence_custom_days",
            "A custom series needs at least one day in recurrence_custom_days",
        ),
        (
            any(day not in WEEKDAYS for day in rule.custom_days or ()),
            "recurrence_custom_days",
            "Days run from 0 (Monday) to 6 (Sunday)",
        ),
        (
            rule.pattern in WEEKDAY_PATTERNS and rule.weekday is None,
            "recurrence_weekday",
            f"recurrence_weekday is required for {rule.pattern}",
        ),
        (
            rule.weekday is not None and rule.weekday not in WEEKDAYS,
            "recurrence_weekday",
            "recurrence_weekday runs from 0 (Monday) to 6 (Sunday)",
        ),
        (
            rule.pattern in WEEKDAY_PATTERNS and rule.week_ordinal is None,
            "recurrence_week_ordinal",
            f"recurrence_week_ordinal is required for {rule.pattern}",
        ),
        (
            rule.week_ordinal is not None and rule.week_ordinal not in ORDINALS,
            "recurrence_week_ordinal",
            "recurrence_week_ordinal is 1 to 5, or -1 for the last",
        ),
        (
            rule.pattern == "annually_weekday" and rule.month is None,
            "recurrence_month",
            "recurrence_month is required for annually_weekday",
        ),
        (
            rule.month is not None and rule.month not in MONTHS,
            "recurrence_month",
            "recurrence_month runs from 1 to 12",
        ),
    ]
    return next(((field, message) for failed, field, message in checks if failed), None)


def expand(
    start: datetime, end: datetime, zone: ZoneInfo, rule: Recurrence
) -> list[tuple[datetime, datetime]]:
    """The series' (start, end) pairs in UTC, sorted; the first is the given occurrence.

    Call `recurrence_problem` first: an invalid rule here is a programming error (ValueError).
    Raises RecurrenceError for 0 occurrences, and for more than 365 unless the series is rolling
    with no end date: that horizon is the server's own choice, so it is cut at 365 instead.
    """
    problem = recurrence_problem(rule)
    if problem is not None:
        raise ValueError(f"invalid recurrence: {problem[0]}")
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    first_day = local_start.date()
    last_day = rule.end_date if rule.end_date is not None else _a_year_after(first_day)
    shape = _Shape(
        # fold=0 whatever the first occurrence had: see _Shape.on for the DST choices.
        clock=local_start.time().replace(fold=0),
        wall_length=local_end.replace(tzinfo=None) - local_start.replace(tzinfo=None),
        elapsed=end - start,
        zone=zone,
    )
    occurrences: list[tuple[datetime, datetime]] = []
    for day in _days(first_day, rule):
        if day > last_day:
            break
        if day in rule.exceptions:
            continue
        if len(occurrences) == MAX_OCCURRENCES:  # the 366th: stop here, never run on
            if rule.end_date is None:
                break
            raise RecurrenceError(TOO_MANY)
        if day == first_day:
            occurrences.append((start.astimezone(UTC), end.astimezone(UTC)))
            continue
        try:
            occurrences.append(shape.on(day))
        except OverflowError:  # past datetime.max in UTC: nothing later can exist either
            break
    if not occurrences:
        raise RecurrenceError(NO_OCCURRENCES)
    return occurrences


@dataclass(frozen=True, slots=True)
class _Shape:
    """The first occurrence's local start time and local length, to repeat on other days."""

    clock: time
    wall_length: timedelta
    elapsed: timedelta
    zone: ZoneInfo

    def on(self, day: date) -> tuple[datetime, datetime]:
        """The occurrence on a local day, in UTC.

        Local times are read with fold=0, as RFC 5545 (iCalendar) does: an ambiguous time (the
        repeated hour when clocks go back) is its first, daylight-time instant, and a time that
        does not exist (the skipped hour when clocks go forward) takes the offset from before
        the change, so 02:30 becomes 03:30 daylight time. When such a shift would leave the end
        at or before the start, the end keeps the first occurrence's elapsed length instead.
        """
        local = datetime.combine(day, self.clock, tzinfo=self.zone)
        starts = local.astimezone(UTC)
        local_end = (local.replace(tzinfo=None) + self.wall_length).replace(tzinfo=self.zone)
        ends = local_end.astimezone(UTC)
        return starts, ends if ends > starts else starts + self.elapsed


def _a_year_after(day: date) -> date:
    """The rolling horizon: the same local date a year on (Feb 29 → Feb 28)."""
    if day.year == MAXYEAR:
        return date.max
    return _clamped(day.year + 1, day.month, day.day)


def _clamped(year: int, month: int, day: int) -> date:
    """`day` of the month, or the month's last day when it is shorter."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def nth_weekday(year: int, month: int, weekday: int, ordinal: int) -> date | None:
    """The `ordinal`-th (1-5, or -1 = last) `weekday` of the month; None when it has none."""
    month_length = calendar.monthrange(year, month)[1]
    first = 1 + (weekday - date(year, month, 1).weekday()) % 7
    if ordinal == LAST:
        return date(year, month, first + 7 * ((month_length - first) // 7))
    day = first + 7 * (ordinal - 1)
    return date(year, month, day) if day <= month_length else None


def _days(first: date, rule: Recurrence) -> Iterator[date]:
    """The local dates of the series in order, from the first; ends at the calendar's end."""
    yield first
    if rule.pattern in STEP_DAYS:
        yield from _stepping(first, timedelta(days=STEP_DAYS[rule.pattern]))
    elif rule.pattern == "custom":
        days = frozenset(rule.custom_days or ())
        yield from (day for day in _stepping(first, timedelta(days=1)) if day.weekday() in days)
    elif rule.pattern == "monthly":
        # Anchored on the first date's day: the 31st is the 30th in April and the 31st again in May.
        yield from (_clamped(year, month, first.day) for year, month in _months_after(first))
    elif rule.pattern == "annually":
        # Feb 29 is Feb 28 in a common year and Feb 29 again in the next leap year.
        yield from (_clamped(year, first.month, first.day) for year in _years_after(first))
    elif rule.pattern == "monthly_weekday":
        nth = (_required(rule.weekday), _required(rule.week_ordinal))
        yield from _nth_weekdays(_months_after(first), *nth)
    else:  # annually_weekday
        nth = (_required(rule.weekday), _required(rule.week_ordinal))
        month = _required(rule.month)
        yield from _nth_weekdays(((year, month) for year in _years_after(first)), *nth)


def _stepping(first: date, step: timedelta) -> Iterator[date]:
    day = first
    while True:
        try:
            day += step
        except OverflowError:
            return
        yield day


def _months_after(first: date) -> Iterator[tuple[int, int]]:
    index = first.year * 12 + first.month - 1
    while True:
        index += 1
        year, month = divmod(index, 12)
        if year > MAXYEAR:
            return
        yield year, month + 1


def _years_after(first: date) -> Iterator[int]:
    return iter(range(first.year + 1, MAXYEAR + 1))


def _required(value: int | None) -> int:
    """A field `recurrence_problem` has already required."""
    if value is None:
        raise ValueError("recurrence_problem lets no such rule through")
    return value


def _nth_weekdays(periods: Iterator[tuple[int, int]], weekday: int, ordinal: int) -> Iterator[date]:
    """The nth weekday of each (year, month) period.

    A period without one (a 5th Monday, say) is skipped; two such periods in a row end the
    series, as the original does for months. Years (annually_weekday) follow the same rule here,
    where the original ends at the first year without one.
    """
    misses = 0
    for year, month in periods:
        day = nth_weekday(year, month, weekday, ordinal)
        if day is None:
            misses += 1
            if misses == MISSES_ENDING_A_SERIES:
                return
            continue
        misses = 0
        yield day
