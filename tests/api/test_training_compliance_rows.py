"""Compliance engine facts from the training models (no database: transient rows)."""

from datetime import date
from uuid import uuid4

from api.training.compliance import (
    CellStatus,
    Record,
    Requirement,
    WaiverPeriod,
    evaluate,
    leave_period_of,
    record_of,
    requirement_of,
    waiver_period_of,
)
from shared.models.training import (
    MemberLeaveOfAbsence,
    RequirementFrequency,
    RequirementType,
    TrainingRecord,
    TrainingRequirement,
    TrainingStatus,
    TrainingType,
    TrainingWaiver,
)

COURSE, CATEGORY, ROLE = uuid4(), uuid4(), uuid4()


class TestRequirementOf:
    def test_every_field_the_engine_reads(self) -> None:
        row = TrainingRequirement(
            id=uuid4(),
            name="Driver hours",
            requirement_type=RequirementType.HOURS,
            frequency=RequirementFrequency.ANNUAL,
            active=True,
            training_type=TrainingType.SKILLS_PRACTICE,
            required_hours=12.5,
            required_courses=[str(COURSE), "not-a-uuid"],
            required_shifts=None,
            required_calls=None,
            registry_code="NREMT",
            year=2026,
            applies_to_all=False,
            required_roles=[str(ROLE)],
            required_membership_types=["active", "probationary"],
            due_date=date(2026, 11, 1),
            due_date_type="rolling",
            rolling_period_months=12,
            period_start_month=10,
            period_start_day=1,
            period_end_month=9,
            period_end_day=None,
            include_current_month=False,
            recency_days=365,
            category_ids=[str(CATEGORY)],
        )
        assert requirement_of(row) == Requirement(
            id=row.id,
            name="Driver hours",
            requirement_type="hours",
            frequency="annual",
            training_type="skills_practice",
            required_hours=12.5,
            required_courses=frozenset({COURSE}),
            registry_code="NREMT",
            year=2026,
            applies_to_all=False,
            required_roles=frozenset({ROLE}),
            required_membership_types=frozenset({"active", "probationary"}),
            due_date=date(2026, 11, 1),
            due_date_type="rolling",
            rolling_period_months=12,
            period_start_month=10,
            period_start_day=1,
            period_end_month=9,
            include_current_month=False,
            recency_days=365,
            category_ids=frozenset({CATEGORY}),
        )

    def test_null_lists_are_empty(self) -> None:
        row = TrainingRequirement(
            id=uuid4(),
            name="CE",
            requirement_type=RequirementType.COURSES,
            frequency=RequirementFrequency.ONE_TIME,
            active=True,
            applies_to_all=True,
            due_date_type="calendar_period",
        )
        facts = requirement_of(row)
        assert (facts.required_courses, facts.required_roles, facts.category_ids) == (
            frozenset(),
            frozenset(),
            frozenset(),
        )
        assert facts.required_membership_types == frozenset()


class TestRecordOf:
    def test_a_stored_record_evaluates_like_its_facts(self) -> None:
        row = TrainingRecord(
            id=uuid4(),
            user_id=uuid4(),
            status=TrainingStatus.COMPLETED,
            completion_date=date(2026, 3, 1),
            expiration_date=date(2028, 3, 1),
            hours_completed=6.0,
            training_type=TrainingType.CERTIFICATION,
            course_id=COURSE,
            course_name="EMT-B",
            category_id=CATEGORY,
            certification_number="NREMT-1",
        )
        facts = record_of(row)
        assert facts == Record(
            status="completed",
            completion_date=date(2026, 3, 1),
            expiration_date=date(2028, 3, 1),
            hours_completed=6.0,
            training_type="certification",
            course_id=COURSE,
            course_name="EMT-B",
            category_id=CATEGORY,
            certification_number="NREMT-1",
            user_id=row.user_id,
            id=row.id,
        )
        requirement = Requirement(
            id=uuid4(), name="EMT", requirement_type="certification", frequency="one_time"
        )
        assert evaluate(requirement, [facts], date(2026, 12, 6)).status == CellStatus.COMPLETED


class TestPeriods:
    def test_a_waiver_for_every_requirement(self) -> None:
        nothing: list[str] = []
        for ids in (None, nothing):
            row = TrainingWaiver(
                start_date=date(2026, 3, 1), end_date=None, requirement_ids=ids, active=True
            )
            assert waiver_period_of(row) == WaiverPeriod(date(2026, 3, 1))

    def test_a_waiver_limited_to_some_requirements(self) -> None:
        limited = uuid4()
        row = TrainingWaiver(
            start_date=date(2026, 3, 1),
            end_date=date(2026, 5, 31),
            requirement_ids=[str(limited)],
            active=False,
        )
        period = waiver_period_of(row)
        assert period == WaiverPeriod(
            date(2026, 3, 1), date(2026, 5, 31), frozenset({limited}), active=False
        )

    def test_a_waiver_of_malformed_ids_waives_nothing(self) -> None:
        row = TrainingWaiver(
            start_date=date(2026, 3, 1), end_date=None, requirement_ids=["bad"], active=True
        )
        assert not waiver_period_of(row).covers(uuid4())

    def test_a_leave_keeps_its_exemption(self) -> None:
        row = MemberLeaveOfAbsence(
            start_date=date(2026, 3, 1),
            end_date=date(2026, 5, 31),
            active=True,
            exempt_from_training_waiver=True,
        )
        period = leave_period_of(row)
        assert period == WaiverPeriod(date(2026, 3, 1), date(2026, 5, 31), training_exempt=True)
        assert not period.covers(uuid4())
