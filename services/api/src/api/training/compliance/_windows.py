"""The evaluation window of a requirement and the as-of date (spec §5.2, §5.3).

Windows are inclusive calendar-date ranges. `None` means unwindowed: every completion counts.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from api.training.compliance._facts import ROLLING, Frequency, Requirement

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Window:
    """An inclusive range of calendar dates."""

    start: date
    end: date

    def contains(self, day: date) -> bool:
        """True when `day` falls inside the window, both ends included."""
        return self.start <= day <= self.end

    @property
    def months(self) -> int:
        """How many calendar months the window touches (partial months included)."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1


def as_of(today: date, include_current_month: bool) -> date:
    """The date requirements are evaluated at: today, or the last day of the previous month."""
    if include_current_month:
        return today
    return today.replace(day=1) - ONE_DAY


def include_current_month(requirement: Requirement, organization_default: bool) -> bool:
    """The requirement's own switch when set, else the organization's compliance setting."""
    if requirement.include_current_month is None:
        return organization_default
    return requirement.include_current_month


def window(requirement: Requirement, day: date) -> Window | None:
    """The window holding `day` (the as-of date) for this requirement, or None for all time."""
    months = requirement.rolling_period_months
    if requirement.due_date_type == ROLLING and months:
        return Window(add_months(day, -months), day)
    frequency = requirement.frequency
    if frequency in {Frequency.ONE_TIME, Frequency.BIANNUAL}:
        return None
    if frequency == Frequency.QUARTERLY:
        first = (day.month - 1) // 3 * 3 + 1
        return Window(date(day.year, first, 1), _month_end(day.year, first + 2))
    if frequency == Frequency.MONTHLY:
        return Window(day.replace(day=1), _month_end(day.year, day.month))
    if requirement.period_end_month:
        return _cycle(requirement, day)
    year = requirement.year or day.year
    return Window(date(year, 1, 1), date(year, 12, 31))


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, the day clamped to the month's end (May 31 - 3 = Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return _clamped(year, month + 1, day.day)


def _cycle(requirement: Requirement, day: date) -> Window:
    """The custom annual cycle holding `day`.

    A cycle starts each year on the start month/day and ends on the end month/day, in the next
    year when the end comes before the start in the calendar (Oct 1 - Sep 30). A day after the
    end but before the next start (the gap) belongs to the previous cycle, extended up to the
    day before the next start; a misconfigured end past the next start is cut there.
    """
    start_month = requirement.period_start_month or 1
    start_day = requirement.period_start_day or 1
    end_month = requirement.period_end_month or 12
    end_day = requirement.period_end_day or 31  # null is the month's end; clamped below

    def start_in(year: int) -> date:
        return _clamped(year, start_month, start_day)

    start = start_in(day.year) if start_in(day.year) <= day else start_in(day.year - 1)
    spans_new_year = (end_month, end_day) < (start_month, start_day)
    end = _clamped(start.year + 1 if spans_new_year else start.year, end_month, end_day)
    next_start = start_in(start.year + 1)
    if day > end or end >= next_start:
        end = next_start - ONE_DAY
    return Window(start, end)


def _clamped(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _month_end(year: int, month: int) -> date:
    return _clamped(year, month, 31)
