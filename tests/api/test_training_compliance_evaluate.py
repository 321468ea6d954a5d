"""Compliance engine rules (spec training.md §5.1, §5.3, §5.4, §6, §8): applicability, every
requirement type, recency, the current-month switch, expiry on the as-of date."""

from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest

from api.training.compliance import (
    CellStatus,
    Member,
    Record,
    Requirement,
    applies,
    evaluate,
)

TODAY = date(2026, 12, 6)
COURSE_A, COURSE_B, COURSE_C = uuid4(), uuid4(), uuid4()
CATEGORY_FIRE, CATEGORY_EMS = uuid4(), uuid4()
ROLE_DRIVER, ROLE_MEDIC = uuid4(), uuid4()

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
    """A record completed on `on` (YYYY-MM-DD or None)."""
    record = Record(
        status=status,
        completion_date=date.fromisoformat(on) if on else None,
        expiration_date=date.fromisoformat(expires) if expires else None,
        hours_completed=hours,
        course_name="Live Fire Drill",
        training_type="continuing_education",
    )
    return replace(record, **changes)


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


class TestHours:
    @pytest.mark.parametrize(
        ("records", "status", "completed"),
        [
            ([], CellStatus.NOT_STARTED, 0.0),
            ([done("2026-03-01", 10)], CellStatus.IN_PROGRESS, 10.0),
            ([done("2026-03-01", 10), done("2026-09-01", 14)], CellStatus.COMPLETED, 24.0),
            ([done("2026-03-01", 30.5)], CellStatus.COMPLETED, 30.5),
            # only completed records count; a scheduled one never does (§8.1)
            ([done("2026-03-01", 24, status="scheduled")], CellStatus.NOT_STARTED, 0.0),
            ([done("2026-03-01", 24, status="in_progress")], CellStatus.NOT_STARTED, 0.0),
            # windowed: outside the year, or with no completion date, does not count
            ([done("2025-12-31", 24)], CellStatus.NOT_STARTED, 0.0),
            ([done(None, 24)], CellStatus.NOT_STARTED, 0.0),
            ([done("2027-01-01", 24)], CellStatus.NOT_STARTED, 0.0),
            # float sums are kept to 2 dp
            ([done("2026-01-01", 0.1), done("2026-01-02", 0.2)], CellStatus.IN_PROGRESS, 0.3),
        ],
    )
    def test_hours_in_the_window(
        self, records: list[Record], status: CellStatus, completed: float
    ) -> None:
        result = evaluate(HOURS, records, TODAY)
        assert (result.status, result.completed_value, result.required_value) == (
            status,
            completed,
            24.0,
        )

    @pytest.mark.parametrize(
        ("filters", "record", "counts"),
        [
            ({"training_type": "continuing_education"}, {}, True),
            ({"training_type": "skills_practice"}, {}, False),
            ({"category_ids": frozenset({CATEGORY_FIRE})}, {"category_id": CATEGORY_FIRE}, True),
            ({"category_ids": frozenset({CATEGORY_FIRE})}, {"category_id": CATEGORY_EMS}, False),
            ({"category_ids": frozenset({CATEGORY_FIRE})}, {}, False),
            ({"required_courses": frozenset({COURSE_A})}, {"course_id": COURSE_A}, True),
            ({"required_courses": frozenset({COURSE_A})}, {"course_id": COURSE_B}, False),
            (
                {
                    "training_type": "continuing_education",
                    "category_ids": frozenset({CATEGORY_EMS}),
                },
                {"category_id": CATEGORY_EMS},
                True,
            ),
        ],
    )
    def test_filters_by_type_category_and_course(
        self, filters: dict[str, Any], record: dict[str, Any], counts: bool
    ) -> None:
        requirement = replace(HOURS, **filters)
        result = evaluate(requirement, [done("2026-05-01", 30, **record)], TODAY)
        assert result.is_met is counts

    @pytest.mark.parametrize("target", [0.0, None])
    def test_a_target_of_zero_is_never_met(self, target: float | None) -> None:
        requirement = replace(HOURS, required_hours=target)
        assert evaluate(requirement, [], TODAY).status == CellStatus.NOT_STARTED
        result = evaluate(requirement, [done("2026-05-01", 8)], TODAY)
        assert (result.status, result.required_value) == (CellStatus.IN_PROGRESS, 0.0)

    def test_reports_the_newest_counted_record(self) -> None:
        records = [done("2026-02-01", 4), done("2026-08-01", 4), done("2025-12-01", 40)]
        result = evaluate(HOURS, records, TODAY)
        assert result.latest_completion == date(2026, 8, 1)
        assert result.due_date == date(2026, 12, 31)  # no due date: the window's end

    @pytest.mark.parametrize(
        ("records", "status"),
        [
            # one_time: every completion ever counts
            ([done("2001-01-01", 30)], CellStatus.COMPLETED),
            ([done(None, 30)], CellStatus.COMPLETED),  # unwindowed accepts an undated record
        ],
    )
    def test_one_time_has_no_window(self, records: list[Record], status: CellStatus) -> None:
        requirement = replace(HOURS, frequency="one_time")
        assert evaluate(requirement, records, TODAY).status == status


class TestBiannualHours:
    BIANNUAL = replace(HOURS, frequency="biannual", required_hours=8)

    @pytest.mark.parametrize(
        ("records", "status"),
        [
            ([done("2024-01-10", 8, expires="2026-01-10")], CellStatus.EXPIRED),
            ([done("2025-06-10", 8, expires="2027-06-10")], CellStatus.COMPLETED),
            ([done("2025-06-10", 8, expires="2026-12-06")], CellStatus.COMPLETED),  # through it
            ([done("2025-06-10", 8, expires="2026-12-05")], CellStatus.EXPIRED),
            ([done("2025-06-10", 8)], CellStatus.COMPLETED),  # no expiration never expires
            # the newest matching record decides: a renewal clears the old expiry
            (
                [
                    done("2022-01-10", 8, expires="2024-01-10"),
                    done("2024-01-09", 8, expires="2026-12-31"),
                ],
                CellStatus.COMPLETED,
            ),
            (
                [
                    done("2024-01-09", 8, expires="2025-12-31"),
                    done("2022-01-10", 8, expires="2028-01-10"),
                ],
                CellStatus.EXPIRED,
            ),
            ([done("2025-06-10", 4, expires="2027-06-10")], CellStatus.IN_PROGRESS),
        ],
    )
    def test_holding_an_unexpired_credential(
        self, records: list[Record], status: CellStatus
    ) -> None:
        assert evaluate(self.BIANNUAL, records, TODAY).status == status

    def test_due_date_is_the_newest_expiration(self) -> None:
        records = [
            done("2025-06-10", 8, expires="2027-06-10"),
            done("2023-01-01", 8, expires="2025-01-01"),
        ]
        result = evaluate(self.BIANNUAL, records, TODAY)
        assert (result.latest_expiry, result.due_date) == (date(2027, 6, 10), date(2027, 6, 10))

    def test_due_date_falls_back_to_the_requirement_date(self) -> None:
        requirement = replace(self.BIANNUAL, due_date=date(2027, 3, 1))
        assert evaluate(requirement, [], TODAY).due_date == date(2027, 3, 1)


class TestCourses:
    COURSES = replace(
        HOURS, requirement_type="courses", required_courses=frozenset({COURSE_A, COURSE_B})
    )

    @pytest.mark.parametrize(
        ("records", "status", "completed"),
        [
            ([], CellStatus.NOT_STARTED, 0.0),
            ([done("2026-02-01", course_id=COURSE_A)], CellStatus.IN_PROGRESS, 1.0),
            (
                [done("2026-02-01", course_id=COURSE_A), done("2026-03-01", course_id=COURSE_A)],
                CellStatus.IN_PROGRESS,
                1.0,
            ),
            (
                [done("2026-02-01", course_id=COURSE_A), done("2026-03-01", course_id=COURSE_B)],
                CellStatus.COMPLETED,
                2.0,
            ),
            # an unlinked course or an old completion does not count
            (
                [done("2026-02-01", course_id=COURSE_C), done("2025-03-01", course_id=COURSE_B)],
                CellStatus.NOT_STARTED,
                0.0,
            ),
            (
                [done("2026-02-01", course_id=COURSE_A, status="cancelled")],
                CellStatus.NOT_STARTED,
                0.0,
            ),
        ],
    )
    def test_every_linked_course_in_the_window(
        self, records: list[Record], status: CellStatus, completed: float
    ) -> None:
        result = evaluate(self.COURSES, records, TODAY)
        assert (result.status, result.completed_value, result.required_value) == (
            status,
            completed,
            2.0,
        )

    def test_no_linked_course_is_never_complete(self) -> None:
        requirement = replace(self.COURSES, required_courses=frozenset())
        result = evaluate(requirement, [done("2026-02-01", course_id=COURSE_A)], TODAY)
        assert (result.status, result.required_value) == (CellStatus.NOT_STARTED, 0.0)


class TestCertification:
    CERT = Requirement(
        id=uuid4(),
        name="EMT",
        requirement_type="certification",
        frequency="one_time",
        registry_code="NREMT",
    )

    @pytest.mark.parametrize(
        ("requirement", "record", "matches"),
        [
            (
                {"required_courses": frozenset({COURSE_A})},
                {"course_id": COURSE_A, "course_name": "x"},
                True,
            ),
            (
                {"required_courses": frozenset({COURSE_A})},
                {"course_id": COURSE_B, "course_name": "x"},
                False,
            ),
            (
                {"training_type": "certification"},
                {"training_type": "certification", "course_name": "x"},
                True,
            ),
            ({"training_type": "certification"}, {"course_name": "x"}, False),
            ({}, {"course_name": "emt-basic refresher"}, True),  # name inside, any case
            ({}, {"course_name": "Paramedic"}, False),
            ({}, {"course_name": "Paramedic", "certification_number": "nremt-p-88421"}, True),
            (
                {"registry_code": None},
                {"course_name": "Paramedic", "certification_number": "NREMT-1"},
                False,
            ),
            ({}, {"course_name": "Paramedic", "certification_number": None}, False),
        ],
    )
    def test_matching_rules(
        self, requirement: dict[str, Any], record: dict[str, Any], matches: bool
    ) -> None:
        facts = replace(self.CERT, **requirement)
        result = evaluate(facts, [done("2025-01-01", expires="2028-01-01", **record)], TODAY)
        assert result.is_met is matches
        assert result.status == (CellStatus.COMPLETED if matches else CellStatus.NOT_STARTED)

    @pytest.mark.parametrize(
        ("expires", "status"),
        [
            ("2026-12-05", CellStatus.EXPIRED),
            ("2026-12-06", CellStatus.COMPLETED),  # valid through the expiration date (§6)
            ("2027-01-01", CellStatus.COMPLETED),
            (None, CellStatus.COMPLETED),
        ],
    )
    def test_expired_only_before_the_as_of_date(
        self, expires: str | None, status: CellStatus
    ) -> None:
        record = done("2024-12-01", course_name="EMT-B", expires=expires)
        result = evaluate(self.CERT, [record], TODAY)
        assert result.status == status
        assert result.latest_expiry == (date.fromisoformat(expires) if expires else None)

    def test_a_renewal_supersedes_the_expired_certificate(self) -> None:
        lapsed = done("2022-03-01", course_name="EMT-B", expires="2026-03-01")
        renewed = done("2026-04-15", course_name="EMT-B", expires="2028-04-15")
        result = evaluate(self.CERT, [renewed, lapsed], TODAY)
        assert (result.status, result.latest_completion, result.latest_expiry) == (
            CellStatus.COMPLETED,
            date(2026, 4, 15),
            date(2028, 4, 15),
        )

    def test_the_newest_record_decides_even_when_an_older_one_lasts_longer(self) -> None:
        older = done("2020-01-01", course_name="EMT-B", expires="2030-01-01")
        newer = done("2024-01-01", course_name="EMT-B", expires="2026-01-01")
        assert evaluate(self.CERT, [older, newer], TODAY).status == CellStatus.EXPIRED

    def test_the_current_month_switch_moves_the_expiry_check(self) -> None:
        record = done("2024-12-01", course_name="EMT-B", expires="2026-11-30")
        assert evaluate(self.CERT, [record], TODAY).status == CellStatus.EXPIRED
        result = evaluate(self.CERT, [record], TODAY, include_current_month_default=False)
        assert (result.status, result.as_of) == (CellStatus.COMPLETED, date(2026, 11, 30))

    def test_incomplete_records_never_certify(self) -> None:
        record = done("2026-01-01", course_name="EMT", status="in_progress", expires="2028-01-01")
        assert evaluate(self.CERT, [record], TODAY).status == CellStatus.NOT_STARTED


class TestShiftsAndCalls:
    @pytest.mark.parametrize(
        ("kind", "target_field"), [("shifts", "required_shifts"), ("calls", "required_calls")]
    )
    @pytest.mark.parametrize(
        ("dates", "status"),
        [
            ([], CellStatus.NOT_STARTED),
            (["2026-10-02"], CellStatus.IN_PROGRESS),
            (["2026-10-02", "2026-11-02", "2026-12-01"], CellStatus.COMPLETED),
            (["2026-09-30", "2026-10-02", "2026-11-02"], CellStatus.IN_PROGRESS),  # Q3 is out
        ],
    )
    def test_count_of_window_records(
        self, kind: str, target_field: str, dates: list[str], status: CellStatus
    ) -> None:
        target: dict[str, Any] = {target_field: 3}
        requirement = replace(
            HOURS, requirement_type=kind, frequency="quarterly", required_hours=None, **target
        )
        result = evaluate(requirement, [done(on) for on in dates], TODAY)
        assert result.status == status
        assert result.required_value == 3.0

    def test_type_filtered(self) -> None:
        requirement = replace(
            HOURS, requirement_type="shifts", required_shifts=1, training_type="skills_practice"
        )
        assert not evaluate(requirement, [done("2026-05-01")], TODAY).is_met
        matching = done("2026-05-01", training_type="skills_practice")
        assert evaluate(requirement, [matching], TODAY).is_met

    def test_zero_target_is_never_met(self) -> None:
        requirement = replace(HOURS, requirement_type="calls", required_calls=0)
        assert evaluate(requirement, [done("2026-05-01")], TODAY).status == CellStatus.IN_PROGRESS


class TestOtherTypes:
    @pytest.mark.parametrize("kind", ["skills_evaluation", "checklist", "knowledge_test"])
    @pytest.mark.parametrize(
        ("requirement", "records", "status"),
        [
            ({}, [], CellStatus.NOT_STARTED),
            # no training type: the requirement name inside the course name
            (
                {"name": "ladder"},
                [done("2026-05-01", course_name="Ladder Skills")],
                CellStatus.COMPLETED,
            ),
            ({"name": "ladder"}, [done("2026-05-01", course_name="Hose")], CellStatus.NOT_STARTED),
            # with a training type: the type alone decides
            (
                {"name": "ladder", "training_type": "skills_practice"},
                [done("2026-05-01", course_name="Ladder", training_type="orientation")],
                CellStatus.NOT_STARTED,
            ),
            (
                {"name": "ladder", "training_type": "skills_practice"},
                [done("2026-05-01", course_name="Hose", training_type="skills_practice")],
                CellStatus.COMPLETED,
            ),
            # expired, or outside the window, is not met
            (
                {"name": "ladder"},
                [done("2026-05-01", course_name="Ladder", expires="2026-06-01")],
                CellStatus.NOT_STARTED,
            ),
            (
                {"name": "ladder"},
                [done("2025-05-01", course_name="Ladder")],
                CellStatus.NOT_STARTED,
            ),
            # an in-progress matching record shows as in progress
            (
                {"name": "ladder"},
                [done(None, course_name="Ladder", status="in_progress")],
                CellStatus.IN_PROGRESS,
            ),
            (
                {"name": "ladder"},
                [done(None, course_name="Hose", status="in_progress")],
                CellStatus.NOT_STARTED,
            ),
        ],
    )
    def test_a_matching_unexpired_window_record(
        self, kind: str, requirement: dict[str, Any], records: list[Record], status: CellStatus
    ) -> None:
        facts = replace(
            HOURS,
            requirement_type=kind,
            required_hours=None,
            **requirement,
        )
        result = evaluate(facts, records, TODAY)
        assert (result.status, result.required_value) == (status, 1.0)
        assert result.completed_value == (1.0 if status == CellStatus.COMPLETED else 0.0)


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
