"""Calendar arithmetic of training dates (spec training.md §4.2, §8.2)."""

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    """`start` plus whole months, the day clamped to the month's end (Jan 31 + 1 = Feb 28/29)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last_day))
