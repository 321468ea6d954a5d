"""Compliance engine rules per requirement type (spec training.md §5.4, §6, §8): hours,
biannual credentials, courses, certifications, shifts and calls, the other types."""

from dataclasses import replace
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from api.training.compliance import CellStatus, Record, Requirement, evaluate
from tests.api.training_compliance_support import HOURS, TODAY, done

COURSE_A, COURSE_B, COURSE_C = uuid4(), uuid4(), uuid4()
CATEGORY_FIRE, CATEGORY_EMS = uuid4(), uuid4()


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
