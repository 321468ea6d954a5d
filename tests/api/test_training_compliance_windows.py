"""Compliance engine windows (spec training.md §5.2, §5.3): each window type, cycles, as-of."""

from dataclasses import replace
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from api.training.compliance import (
    Requirement,
    Window,
    add_months,
    as_of,
    include_current_month,
    window,
)

ANNUAL = Requirement(
    id=uuid4(), name="CE hours", requirement_type="hours", frequency="annual", required_hours=24
)


def span(start: str, end: str) -> Window:
    return Window(date.fromisoformat(start), date.fromisoformat(end))


class TestAsOf:
    @pytest.mark.parametrize(
        ("today", "include", "expected"),
        [
            ("2026-12-06", True, "2026-12-06"),
            ("2026-12-06", False, "2026-11-30"),
            ("2026-12-01", False, "2026-11-30"),
            ("2027-01-10", False, "2026-12-31"),  # January falls back into last year
            ("2024-03-15", False, "2024-02-29"),  # leap February
            ("2026-03-31", False, "2026-02-28"),
        ],
    )
    def test_the_switch_moves_the_date_to_the_previous_month_end(
        self, today: str, include: bool, expected: str
    ) -> None:
        assert as_of(date.fromisoformat(today), include) == date.fromisoformat(expected)

    @pytest.mark.parametrize(
        ("own", "organization", "expected"),
        [(None, True, True), (None, False, False), (True, False, True), (False, True, False)],
    )
    def test_the_requirement_switch_wins_over_the_organization_default(
        self, own: bool | None, organization: bool, expected: bool
    ) -> None:
        requirement = replace(ANNUAL, include_current_month=own)
        assert include_current_month(requirement, organization) is expected


class TestAddMonths:
    @pytest.mark.parametrize(
        ("day", "months", "expected"),
        [
            ("2026-12-06", -12, "2025-12-06"),
            ("2026-05-31", -3, "2026-02-28"),  # clamped to the month's end
            ("2024-03-31", -1, "2024-02-29"),
            ("2026-01-15", -1, "2025-12-15"),  # across the new year
            ("2026-11-30", 3, "2027-02-28"),
            ("2026-06-15", -120, "2016-06-15"),
        ],
    )
    def test_whole_months_with_the_day_clamped(self, day: str, months: int, expected: str) -> None:
        assert add_months(date.fromisoformat(day), months) == date.fromisoformat(expected)


class TestWindowByFrequency:
    @pytest.mark.parametrize(
        ("changes", "day", "expected"),
        [
            # rolling: the trailing N months up to the as-of date, whatever the frequency
            (
                {"due_date_type": "rolling", "rolling_period_months": 12},
                "2026-12-06",
                span("2025-12-06", "2026-12-06"),
            ),
            (
                {"due_date_type": "rolling", "rolling_period_months": 3, "frequency": "quarterly"},
                "2026-05-31",
                span("2026-02-28", "2026-05-31"),
            ),
            (
                {"due_date_type": "rolling", "rolling_period_months": 24, "frequency": "one_time"},
                "2026-12-06",
                span("2024-12-06", "2026-12-06"),
            ),
            # rolling without months, or months without rolling: the frequency decides
            ({"due_date_type": "rolling"}, "2026-12-06", span("2026-01-01", "2026-12-31")),
            ({"rolling_period_months": 12}, "2026-12-06", span("2026-01-01", "2026-12-31")),
            # certification_period and fixed_date are stored but evaluated like calendar_period
            (
                {"due_date_type": "certification_period", "frequency": "quarterly"},
                "2026-12-06",
                span("2026-10-01", "2026-12-31"),
            ),
            (
                {"due_date_type": "fixed_date", "frequency": "monthly"},
                "2026-12-06",
                span("2026-12-01", "2026-12-31"),
            ),
            # calendar quarters
            ({"frequency": "quarterly"}, "2026-01-01", span("2026-01-01", "2026-03-31")),
            ({"frequency": "quarterly"}, "2026-02-14", span("2026-01-01", "2026-03-31")),
            ({"frequency": "quarterly"}, "2026-06-30", span("2026-04-01", "2026-06-30")),
            ({"frequency": "quarterly"}, "2026-08-08", span("2026-07-01", "2026-09-30")),
            ({"frequency": "quarterly"}, "2026-12-31", span("2026-10-01", "2026-12-31")),
            # calendar months
            ({"frequency": "monthly"}, "2024-02-10", span("2024-02-01", "2024-02-29")),
            ({"frequency": "monthly"}, "2026-04-30", span("2026-04-01", "2026-04-30")),
            # annual: the requirement's year, else the as-of date's
            ({}, "2026-12-06", span("2026-01-01", "2026-12-31")),
            ({"year": 2025}, "2026-12-06", span("2025-01-01", "2025-12-31")),
        ],
    )
    def test_the_window_holding_the_as_of_date(
        self, changes: dict[str, Any], day: str, expected: Window
    ) -> None:
        requirement = replace(ANNUAL, **changes)
        assert window(requirement, date.fromisoformat(day)) == expected

    @pytest.mark.parametrize("frequency", ["one_time", "biannual"])
    def test_one_time_and_biannual_have_no_window(self, frequency: str) -> None:
        assert window(replace(ANNUAL, frequency=frequency, year=2025), date(2026, 12, 6)) is None


class TestCustomAnnualCycle:
    @pytest.mark.parametrize(
        ("cycle", "day", "expected"),
        [
            # Oct 1 - Sep 30 (end day null = month end): the cycle spans the new year
            ((10, 1, 9, None), "2026-09-30", span("2025-10-01", "2026-09-30")),
            ((10, 1, 9, None), "2026-10-01", span("2026-10-01", "2027-09-30")),
            ((10, 1, 9, None), "2026-12-31", span("2026-10-01", "2027-09-30")),
            ((10, 1, 9, None), "2027-01-01", span("2026-10-01", "2027-09-30")),
            ((10, 1, 9, 30), "2027-03-15", span("2026-10-01", "2027-09-30")),
            # Oct 1 - Aug 31: September is a gap, which extends the previous cycle
            ((10, 1, 8, 31), "2026-08-31", span("2025-10-01", "2026-08-31")),
            ((10, 1, 8, 31), "2026-09-01", span("2025-10-01", "2026-09-30")),
            ((10, 1, 8, 31), "2026-09-30", span("2025-10-01", "2026-09-30")),
            ((10, 1, 8, 31), "2026-10-01", span("2026-10-01", "2027-08-31")),
            # inside one year with a gap at the end: Jan 1 - Oct 31
            ((1, 1, 10, None), "2026-06-01", span("2026-01-01", "2026-10-31")),
            ((1, 1, 10, None), "2026-11-15", span("2026-01-01", "2026-12-31")),
            # Jul 1 - Dec 31: January to June extend the previous year's cycle
            ((7, 1, 12, 31), "2026-03-01", span("2025-07-01", "2026-06-30")),
            ((7, 1, 12, 31), "2026-07-01", span("2026-07-01", "2026-12-31")),
            # mid-month bounds: Apr 15 - Apr 14 is a full year starting mid-April
            ((4, 15, 4, 14), "2026-04-14", span("2025-04-15", "2026-04-14")),
            ((4, 15, 4, 14), "2026-04-15", span("2026-04-15", "2027-04-14")),
            # Mar 1 - end of February: the end day follows leap years
            ((3, 1, 2, None), "2024-02-29", span("2023-03-01", "2024-02-29")),
            ((3, 1, 2, None), "2025-02-28", span("2024-03-01", "2025-02-28")),
            # a start day past the month's end is clamped (Apr 31 -> Apr 30)
            ((4, 31, 3, 31), "2026-04-30", span("2026-04-30", "2027-03-31")),
            # Feb 29 - Feb 28: in a common year the start clamps onto the end, which is cut
            # the day before the next start so that cycles never overlap
            ((2, 29, 2, 28), "2024-03-01", span("2024-02-29", "2025-02-27")),
            ((2, 29, 2, 28), "2025-02-28", span("2025-02-28", "2026-02-27")),
            ((1, 1, 12, 31), "2026-12-31", span("2026-01-01", "2026-12-31")),
        ],
    )
    def test_the_cycle_holding_the_as_of_date(
        self, cycle: tuple[int, int, int, int | None], day: str, expected: Window
    ) -> None:
        start_month, start_day, end_month, end_day = cycle
        requirement = replace(
            ANNUAL,
            period_start_month=start_month,
            period_start_day=start_day,
            period_end_month=end_month,
            period_end_day=end_day,
        )
        assert window(requirement, date.fromisoformat(day)) == expected

    def test_a_cycle_ignores_the_requirement_year(self) -> None:
        requirement = replace(ANNUAL, year=2020, period_start_month=10, period_end_month=9)
        assert window(requirement, date(2026, 12, 6)) == span("2026-10-01", "2027-09-30")

    def test_null_start_fields_read_as_january_first(self) -> None:
        requirement = replace(
            ANNUAL, period_start_month=None, period_start_day=None, period_end_month=6
        )
        assert window(requirement, date(2026, 3, 1)) == span("2026-01-01", "2026-06-30")


class TestWindowMonths:
    @pytest.mark.parametrize(
        ("start", "end", "months"),
        [
            ("2026-10-01", "2026-12-31", 3),
            ("2026-12-01", "2026-12-31", 1),
            ("2025-12-06", "2026-12-06", 13),  # a rolling year touches 13 calendar months
            ("2025-10-01", "2026-09-30", 12),
        ],
    )
    def test_calendar_months_touched(self, start: str, end: str, months: int) -> None:
        assert span(start, end).months == months

    def test_contains_both_ends(self) -> None:
        quarter = span("2026-10-01", "2026-12-31")
        assert quarter.contains(date(2026, 10, 1))
        assert quarter.contains(date(2026, 12, 31))
        assert not quarter.contains(date(2026, 9, 30))
        assert not quarter.contains(date(2027, 1, 1))
