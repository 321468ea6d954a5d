"""Waivers and leaves prorating a target (spec §5.5 as refined by the addendum §2.2).

A calendar month is waived when one period, clipped to the window, covers at least 15 of its
days. Months of every period pool in one set, so a leave and its linked waiver count once.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from api.training.compliance._facts import WaiverPeriod
from api.training.compliance._windows import ONE_DAY, Window, add_months

WAIVED_MONTH_DAYS = 15


@dataclass(frozen=True, slots=True)
class Proration:
    """The adjusted target; `waived_months`/`active_months` are 0 when nothing was waived."""

    target: float
    waived_months: int = 0
    active_months: int = 0


def waived_months(periods: Iterable[WaiverPeriod], window: Window, requirement_id: UUID) -> int:
    """How many calendar months the periods waive for this requirement inside the window."""
    months: set[date] = set()
    for period in periods:
        if not period.covers(requirement_id):
            continue
        start = max(period.start, window.start)
        end = min(period.end or window.end, window.end)  # open-ended runs to the window's end
        months.update(_months_mostly_covered(start, end))
    return len(months)


def prorate(
    target: float,
    *,
    window: Window,
    rolling_months: int | None,
    periods: Iterable[WaiverPeriod],
    requirement_id: UUID,
) -> Proration:
    """`target` * active / total months, 2 dp; a fully waived member still owes one month's share.

    total is the rolling period's months when rolling, else the months the window touches.
    """
    waived = waived_months(periods, window, requirement_id)
    if not waived:
        return Proration(target)
    total = rolling_months or window.months
    active = max(total - waived, 1)
    return Proration(round(target * active / total, 2), waived, active)


def _months_mostly_covered(start: date, end: date) -> list[date]:
    """First days of the months holding at least 15 days of [start, end]."""
    found: list[date] = []
    month = start.replace(day=1)
    while month <= end:
        following = add_months(month, 1)
        covered = (min(end, following - ONE_DAY) - max(start, month)).days + 1
        if covered >= WAIVED_MONTH_DAYS:
            found.append(month)
        month = following
    return found
