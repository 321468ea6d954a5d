"""Compliance engine rules around the types (spec training.md §5.1, §5.2, §5.3, §4.4):
applicability, recency, the current-month switch, due dates."""

from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest

from api.training.compliance import CellStatus, Member, applies, evaluate
from tests.api.training_compliance_support import HOURS, TODAY, done

ROLE_DRIVER, ROLE_MEDIC = uuid4(), uuid4()


class TestApplies:
    @pytest.mark.parametrize(
        ("requirement", "member", "expected"),
        [
            ({}, {}, True),
            ({"active": False}, {}, False),
            # membership types: none listed, listed, not listed; a null type reads as active
            ({"required_membership_types": frozenset({"active"})}, {}, True),
            ({"required_membership_types": frozenset({"probationary"})}, {}, False),
            (
                {"required_membership_types": frozenset({"probationary"})},
                {"membership_type": "probationary"},
                True,
            ),
            # roles count only when the requirement is not for everyone
            ({"applies_to_all": False, "required_roles": frozenset({ROLE_DRIVER})}, {}, False),
            (
                {"applies_to_all": False, "required_roles": frozenset({ROLE_DRIVER})},
                {"role_ids": frozenset({ROLE_MEDIC, ROLE_DRIVER})},
                True,
            ),
            ({"applies_to_all": False}, {"role_ids": frozenset({ROLE_DRIVER})}, False),
            # applies_to_all does not override membership types (§5.1, the summary's rule)
            (
                {"applies_to_all": True, "required_membership_types": frozenset({"life"})},
                {"membership_type": "active"},
                False,
            ),
            (
                {
                    "applies_to_all": False,
                    "required_roles": frozenset({ROLE_DRIVER}),
                    "required_membership_types": frozenset({"life"}),
                },
                {"membership_type": "life", "role_ids": frozenset({ROLE_DRIVER})},
                True,
            ),
        ],
    )
    def test_applicability(
        self, requirement: dict[str, Any], member: dict[str, Any], expected: bool
    ) -> None:
        facts = replace(HOURS, **requirement)
        assert applies(facts, Member(**member)) is expected

    def test_exemption_is_left_to_the_caller(self) -> None:
        assert applies(HOURS, Member(compliance_exempt=True))


class TestRecency:
    @pytest.mark.parametrize(
        ("frequency", "completed_on", "met"),
        [
            ("one_time", "2026-09-07", True),  # exactly 90 days before the as-of date
            ("one_time", "2026-09-06", False),
            ("annual", "2026-09-07", True),
            ("annual", "2026-03-01", False),  # inside the year but too old
        ],
    )
    def test_completions_older_than_recency_never_count(
        self, frequency: str, completed_on: str, met: bool
    ) -> None:
        requirement = replace(HOURS, frequency=frequency, required_hours=4, recency_days=90)
        assert evaluate(requirement, [done(completed_on, 4)], TODAY).is_met is met

    def test_an_undated_record_fails_recency(self) -> None:
        requirement = replace(HOURS, frequency="one_time", required_hours=4, recency_days=3650)
        assert not evaluate(requirement, [done(None, 4)], TODAY).is_met

    def test_recency_counts_from_the_as_of_date(self) -> None:
        requirement = replace(
            HOURS,
            frequency="one_time",
            required_hours=4,
            recency_days=10,
            include_current_month=False,
        )
        record = done(str(date(2026, 11, 30) - timedelta(days=10)), 4)
        assert evaluate(requirement, [record], TODAY).is_met


class TestCurrentMonthSwitch:
    ROLLING = replace(HOURS, due_date_type="rolling", rolling_period_months=12, required_hours=4)

    @pytest.mark.parametrize(
        ("own", "organization", "met"),
        [
            (None, True, True),
            (None, False, False),  # December's hours fall outside [Nov 30 2025, Nov 30 2026]
            (True, False, True),
            (False, True, False),
        ],
    )
    def test_the_window_moves_to_the_previous_month_end(
        self, own: bool | None, organization: bool, met: bool
    ) -> None:
        requirement = replace(self.ROLLING, include_current_month=own)
        result = evaluate(
            requirement, [done("2026-12-02", 4)], TODAY, include_current_month_default=organization
        )
        assert result.is_met is met

    def test_excluding_the_current_month_reaches_a_month_further_back(self) -> None:
        requirement = replace(self.ROLLING, include_current_month=False)
        result = evaluate(requirement, [done("2025-12-01", 4)], TODAY)
        assert result.is_met
        assert result.window is not None
        assert (result.window.start, result.window.end) == (date(2025, 11, 30), date(2026, 11, 30))
        assert (
            evaluate(self.ROLLING, [done("2025-12-01", 4)], TODAY).status == CellStatus.NOT_STARTED
        )

    def test_in_january_the_annual_window_is_last_year(self) -> None:
        requirement = replace(HOURS, include_current_month=False)
        result = evaluate(requirement, [done("2026-06-01", 24)], date(2027, 1, 15))
        assert result.is_met
        assert result.due_date == date(2026, 12, 31)


class TestDueDate:
    def test_the_requirement_due_date_wins_over_the_window_end(self) -> None:
        requirement = replace(HOURS, due_date=date(2026, 6, 30))
        assert evaluate(requirement, [], TODAY).due_date == date(2026, 6, 30)

    def test_unwindowed_without_a_due_date_has_none(self) -> None:
        assert evaluate(replace(HOURS, frequency="one_time"), [], TODAY).due_date is None

    def test_quarterly_is_due_at_the_quarter_end(self) -> None:
        requirement = replace(HOURS, frequency="quarterly")
        assert evaluate(requirement, [], TODAY).due_date == date(2026, 12, 31)
