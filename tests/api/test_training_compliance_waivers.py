"""Compliance engine waivers and leaves (spec training.md §5.5, addendum §2.2): the 15-day
month rule, pooled months, requirement-limited waivers, exempt leaves, proration by type."""

from dataclasses import replace
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from api.training.compliance import (
    CellStatus,
    Record,
    Requirement,
    WaiverPeriod,
    Window,
    evaluate,
    prorate,
    waived_months,
)

TODAY = date(2026, 12, 6)
QUARTER = Window(date(2026, 10, 1), date(2026, 12, 31))
ROLLING_HOURS = Requirement(
    id=uuid4(),
    name="CE hours",
    requirement_type="hours",
    frequency="annual",
    required_hours=24,
    due_date_type="rolling",
    rolling_period_months=12,
)
QUARTERLY_HOURS = replace(
    ROLLING_HOURS, due_date_type="calendar_period", frequency="quarterly", required_hours=12
)


def period(start: str, end: str | None = None, **changes: Any) -> WaiverPeriod:
    found = WaiverPeriod(date.fromisoformat(start), date.fromisoformat(end) if end else None)
    return replace(found, **changes)


def hours(on: str, amount: float) -> Record:
    return Record(
        status="completed", completion_date=date.fromisoformat(on), hours_completed=amount
    )


class TestWaivedMonths:
    @pytest.mark.parametrize(
        ("periods", "months"),
        [
            ([], 0),
            ([period("2026-10-01", "2026-10-31")], 1),
            ([period("2026-10-01", "2026-10-15")], 1),  # 15 days waive the month
            ([period("2026-10-01", "2026-10-14")], 0),  # 14 do not
            ([period("2026-10-20", "2026-11-20")], 1),  # Oct 12 days, Nov 20 days
            ([period("2026-09-01", "2027-02-28")], 3),  # clipped to the quarter
            ([period("2026-11-20")], 1),  # open-ended runs to the window's end: Nov 11 days, Dec
            ([period("2026-11-16")], 2),  # Nov 15 days + Dec
            ([period("2026-12-10", "2027-03-01")], 1),  # future days inside the window count
            ([period("2025-01-01", "2025-12-31")], 0),  # before the window
            # months pool in one set: a leave and its linked waiver count once
            ([period("2026-10-01", "2026-11-30"), period("2026-10-01", "2026-11-30")], 2),
            ([period("2026-10-01", "2026-10-31"), period("2026-10-10", "2026-11-30")], 2),
            # each period needs 15 days by itself: two 10-day periods in one month waive nothing
            ([period("2026-10-01", "2026-10-10"), period("2026-10-20", "2026-10-29")], 0),
        ],
    )
    def test_months_with_fifteen_clipped_days(
        self, periods: list[WaiverPeriod], months: int
    ) -> None:
        assert waived_months(periods, QUARTER, ROLLING_HOURS.id) == months

    def test_a_month_split_evenly_across_two_months(self) -> None:
        # Oct 17-31 is 15 days and Nov 1-15 is 15 days: both months are waived
        assert waived_months([period("2026-10-17", "2026-11-15")], QUARTER, uuid4()) == 2

    @pytest.mark.parametrize(
        ("changes", "months"),
        [
            ({}, 2),
            ({"active": False}, 0),  # a deactivated waiver or leave
            ({"training_exempt": True}, 0),  # a leave exempt from the training waiver [fix]
            ({"requirement_ids": None}, 2),  # null: every requirement
            ({"requirement_ids": frozenset()}, 2),  # empty: every requirement too
            ({"requirement_ids": frozenset({ROLLING_HOURS.id})}, 2),
            ({"requirement_ids": frozenset({uuid4()})}, 0),  # limited to other requirements
        ],
    )
    def test_which_periods_apply(self, changes: dict[str, Any], months: int) -> None:
        periods = [period("2026-10-01", "2026-11-30", **changes)]
        assert waived_months(periods, QUARTER, ROLLING_HOURS.id) == months


class TestProrate:
    @pytest.mark.parametrize(
        ("target", "window", "rolling", "periods", "expected"),
        [
            # the addendum's example: 24 h rolling 12 months, leave 1 Mar - 31 May -> 18 h
            (
                24.0,
                Window(date(2025, 12, 6), date(2026, 12, 6)),
                12,
                [period("2026-03-01", "2026-05-31")],
                (18.0, 3, 9),
            ),
            # rolling: the total is the rolling months, not the 13 months the window touches
            (
                24.0,
                Window(date(2025, 12, 6), date(2026, 12, 6)),
                12,
                [period("2026-01-01", "2026-01-31")],
                (22.0, 1, 11),
            ),
            # a quarter with two months away: one active month of three
            (12.0, QUARTER, None, [period("2026-10-01", "2026-11-30")], (4.0, 2, 1)),
            # fully waived: still owes one month's share
            (12.0, QUARTER, None, [period("2026-09-01")], (4.0, 3, 1)),
            # rounded to 2 dp
            (10.0, QUARTER, None, [period("2026-10-01", "2026-10-31")], (6.67, 1, 2)),
            # nothing waived: unchanged, and the months report 0
            (12.0, QUARTER, None, [], (12.0, 0, 0)),
            (12.0, QUARTER, None, [period("2026-10-01", "2026-10-05")], (12.0, 0, 0)),
        ],
    )
    def test_target_times_active_over_total(
        self,
        target: float,
        window: Window,
        rolling: int | None,
        periods: list[WaiverPeriod],
        expected: tuple[float, int, int],
    ) -> None:
        result = prorate(
            target,
            window=window,
            rolling_months=rolling,
            periods=periods,
            requirement_id=ROLLING_HOURS.id,
        )
        assert (result.target, result.waived_months, result.active_months) == expected


class TestEvaluateWithWaivers:
    def test_the_addendum_example_end_to_end(self) -> None:
        leave = period("2026-03-01", "2026-05-31")
        result = evaluate(ROLLING_HOURS, [hours("2026-07-01", 18)], TODAY, [leave])
        assert (result.status, result.required_value, result.original_required_value) == (
            CellStatus.COMPLETED,
            18.0,
            24.0,
        )
        assert (result.waived_months, result.active_months) == (3, 9)
        assert evaluate(ROLLING_HOURS, [hours("2026-07-01", 18)], TODAY).status == (
            CellStatus.IN_PROGRESS
        )

    def test_a_member_on_leave_for_two_months_of_a_quarter_is_not_behind(self) -> None:
        # issue 14: 12 h a quarter; on leave Oct and Nov; 4 h done in December meets the 4 h owed
        leave = period("2026-10-01", "2026-11-30")
        records = [hours("2026-12-02", 4)]
        result = evaluate(QUARTERLY_HOURS, records, TODAY, [leave])
        assert (result.status, result.required_value, result.waived_months) == (
            CellStatus.COMPLETED,
            4.0,
            2,
        )
        assert not evaluate(QUARTERLY_HOURS, records, TODAY).is_met

    def test_a_leave_and_its_linked_waiver_count_once(self) -> None:
        leave = period("2026-10-01", "2026-10-31")
        linked = period("2026-10-01", "2026-10-31", requirement_ids=None)
        result = evaluate(QUARTERLY_HOURS, [], TODAY, [leave, linked])
        assert (result.required_value, result.waived_months, result.active_months) == (8.0, 1, 2)

    def test_an_exempt_leave_does_not_lower_the_target(self) -> None:
        leave = period("2026-10-01", "2026-11-30", training_exempt=True)
        result = evaluate(QUARTERLY_HOURS, [], TODAY, [leave])
        assert (result.required_value, result.waived_months, result.active_months) == (12.0, 0, 0)

    def test_a_waiver_limited_to_another_requirement_does_not_apply(self) -> None:
        waiver = period("2026-10-01", "2026-11-30", requirement_ids=frozenset({uuid4()}))
        assert evaluate(QUARTERLY_HOURS, [], TODAY, [waiver]).required_value == 12.0
        mine = replace(waiver, requirement_ids=frozenset({QUARTERLY_HOURS.id}))
        assert evaluate(QUARTERLY_HOURS, [], TODAY, [mine]).required_value == 4.0

    def test_a_future_leave_inside_the_window_lowers_todays_target(self) -> None:
        leave = period("2026-12-10", "2027-02-01")  # starts after today, inside Q4
        result = evaluate(QUARTERLY_HOURS, [], TODAY, [leave])
        assert (result.required_value, result.waived_months) == (8.0, 1)

    def test_the_current_month_switch_moves_the_prorated_window(self) -> None:
        # as of Nov 30 the rolling window is Nov 30 2025 - Nov 30 2026: December is outside it
        requirement = replace(ROLLING_HOURS, include_current_month=False)
        december = period("2026-12-01", "2026-12-31")
        assert evaluate(requirement, [], TODAY, [december]).required_value == 24.0
        november = period("2026-11-01", "2026-11-30")
        assert evaluate(requirement, [], TODAY, [november]).required_value == 22.0

    @pytest.mark.parametrize(
        ("changes", "required", "waived"),
        [
            ({"requirement_type": "shifts", "required_hours": None, "required_shifts": 6}, 2.0, 2),
            ({"requirement_type": "calls", "required_hours": None, "required_calls": 3}, 1.0, 2),
            ({"frequency": "monthly"}, 12.0, 0),  # December is not waived: nothing to prorate
            # never adjusted: unwindowed frequencies, non-count types, a zero target
            ({"frequency": "one_time"}, 12.0, 0),
            ({"frequency": "biannual"}, 12.0, 0),
            ({"requirement_type": "courses", "required_courses": frozenset({uuid4()})}, 1.0, 0),
            ({"requirement_type": "certification"}, 1.0, 0),
            ({"required_hours": 0}, 0.0, 0),
        ],
    )
    def test_only_hours_shifts_and_calls_with_a_positive_target_and_a_window(
        self, changes: dict[str, Any], required: float, waived: int
    ) -> None:
        requirement = replace(QUARTERLY_HOURS, **changes)
        leave = period("2026-10-01", "2026-11-30")
        result = evaluate(requirement, [], TODAY, [leave])
        assert (result.required_value, result.waived_months) == (required, waived)
