"""Training (spec training.md §2, leaves-waivers addendum §1-§2): the course library, members'
records, requirements, training sessions bridged to events, waivers and leaves of absence."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, IdMixin, TimestampMixin
from shared.db.types import UtcDateTime, str_enum
from shared.models.events import LowerCaseEnum


class TrainingStatus(LowerCaseEnum):
    """A record's state; only `completed` counts anywhere (§8.1)."""

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"


class TrainingType(LowerCaseEnum):
    """The kind of training a course, record, session or requirement is about."""

    CERTIFICATION = "certification"
    CONTINUING_EDUCATION = "continuing_education"
    SKILLS_PRACTICE = "skills_practice"
    ORIENTATION = "orientation"
    REFRESHER = "refresher"
    SPECIALTY = "specialty"


class RequirementType(LowerCaseEnum):
    """What a requirement measures (§5.4)."""

    HOURS = "hours"
    COURSES = "courses"
    CERTIFICATION = "certification"
    SHIFTS = "shifts"
    CALLS = "calls"
    SKILLS_EVALUATION = "skills_evaluation"
    CHECKLIST = "checklist"
    KNOWLEDGE_TEST = "knowledge_test"


class RequirementFrequency(LowerCaseEnum):
    """How often a requirement repeats; it picks the evaluation window (§5.2)."""

    ANNUAL = "annual"
    BIANNUAL = "biannual"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"
    ONE_TIME = "one_time"


class DueDateType(LowerCaseEnum):
    """How the due date is reckoned; only `rolling` changes the window (§5.2)."""

    CALENDAR_PERIOD = "calendar_period"
    ROLLING = "rolling"
    CERTIFICATION_PERIOD = "certification_period"
    FIXED_DATE = "fixed_date"


class RequirementSource(LowerCaseEnum):
    """Who set the requirement."""

    DEPARTMENT = "department"
    STATE = "state"
    NATIONAL = "national"


class LeaveType(LowerCaseEnum):
    """Why a member is away (a leave's and a waiver's type); unknown input is stored as `other`
    by the routes (addendum §1.1), not refused."""

    LEAVE_OF_ABSENCE = "leave_of_absence"
    MEDICAL = "medical"
    MILITARY = "military"
    PERSONAL = "personal"
    ADMINISTRATIVE = "administrative"
    NEW_MEMBER = "new_member"
    OTHER = "other"


def _org_column() -> Mapped[UUID]:
    return mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))


class TrainingCategory(IdMixin, TimestampMixin, Base):
    """A group of courses and records (hours may count toward several through courses)."""

    __tablename__ = "training_categories"
    __table_args__ = (Index("ix_training_categories_org_order", "organization_id", "sort_order"),)

    organization_id: Mapped[UUID] = _org_column()
    name: Mapped[str] = mapped_column(String(255))
    code: Mapped[str | None] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    color: Mapped[str | None] = mapped_column(String(7))
    parent_category_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("training_categories.id", ondelete="SET NULL")
    )
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    icon: Mapped[str | None] = mapped_column(String(50))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[UUID | None] = mapped_column()


class TrainingCourse(IdMixin, TimestampMixin, Base):
    """A course of the library; never deleted, deactivated with `active=false`."""

    __tablename__ = "training_courses"
    __table_args__ = (Index("ix_training_courses_org_name", "organization_id", "name"),)

    organization_id: Mapped[UUID] = _org_column()
    name: Mapped[str] = mapped_column(String(255))
    code: Mapped[str | None] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    training_type: Mapped[TrainingType] = mapped_column(str_enum(TrainingType))
    duration_hours: Mapped[float | None] = mapped_column(Float)
    credit_hours: Mapped[float | None] = mapped_column(Float)
    # Lists of the organization's course and category ids, checked on write (§4.1 [fix]).
    prerequisites: Mapped[list[str] | None] = mapped_column(JSON)
    expiration_months: Mapped[int | None] = mapped_column(Integer)  # null/0: never expires
    instructor: Mapped[str | None] = mapped_column(String(255))
    max_participants: Mapped[int | None] = mapped_column(Integer)
    materials_required: Mapped[list[str] | None] = mapped_column(JSON)
    category_ids: Mapped[list[str] | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[UUID | None] = mapped_column()


class TrainingSession(IdMixin, TimestampMixin, Base):
    """A training session: the `training` event members check into, and what its records get
    (issue 14 item 4, spec §7). One session per event."""

    __tablename__ = "training_sessions"

    organization_id: Mapped[UUID] = _org_column()
    # No cascade: deleting the event of a session is refused (events §4.2 DELETE [fix], 409).
    event_id: Mapped[UUID] = mapped_column(ForeignKey("events.id"), unique=True)
    course_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("training_courses.id", ondelete="SET NULL")
    )
    course_name: Mapped[str] = mapped_column(String(255))
    category_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("training_categories.id", ondelete="SET NULL")
    )
    training_type: Mapped[TrainingType] = mapped_column(str_enum(TrainingType))
    credit_hours: Mapped[float | None] = mapped_column(Float)
    instructor: Mapped[str | None] = mapped_column(String(255))
    issues_certification: Mapped[bool] = mapped_column(Boolean, default=False)
    expiration_months: Mapped[int | None] = mapped_column(Integer)
    issuing_agency: Mapped[str | None] = mapped_column(String(255))
    auto_create_records: Mapped[bool] = mapped_column(Boolean, default=True)
    finalized_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_by: Mapped[UUID | None] = mapped_column()


class TrainingRecord(IdMixin, TimestampMixin, Base):
    """One completion, or a planned or failed attempt, of one member."""

    __tablename__ = "training_records"
    __table_args__ = (
        # A session's check-in paths and redelivered events make one record per member.
        UniqueConstraint("training_session_id", "user_id", name="uq_training_records_session_user"),
        Index(
            "ix_training_records_org_user_completion",
            "organization_id",
            "user_id",
            "completion_date",
        ),
        Index("ix_training_records_org_status", "organization_id", "status"),
        Index("ix_training_records_org_expiration", "organization_id", "expiration_date"),
    )

    organization_id: Mapped[UUID] = _org_column()
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("training_courses.id", ondelete="SET NULL")
    )
    category_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("training_categories.id", ondelete="SET NULL")
    )
    training_session_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="SET NULL")
    )
    course_name: Mapped[str] = mapped_column(String(255))
    course_code: Mapped[str | None] = mapped_column(String(50))
    training_type: Mapped[TrainingType] = mapped_column(str_enum(TrainingType))
    scheduled_date: Mapped[date | None] = mapped_column(Date)
    completion_date: Mapped[date | None] = mapped_column(Date)
    expiration_date: Mapped[date | None] = mapped_column(Date)
    hours_completed: Mapped[float] = mapped_column(Float, default=0.0)
    credit_hours: Mapped[float | None] = mapped_column(Float)
    certification_number: Mapped[str | None] = mapped_column(String(100))
    issuing_agency: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[TrainingStatus] = mapped_column(
        str_enum(TrainingStatus), default=TrainingStatus.SCHEDULED
    )
    score: Mapped[float | None] = mapped_column(Float)
    passing_score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    instructor: Mapped[str | None] = mapped_column(String(255))
    location: Mapped[str | None] = mapped_column(String(255))
    location_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("locations.id", ondelete="SET NULL")
    )
    # Links of later modules (apparatus, external providers): no foreign keys yet.
    apparatus_id: Mapped[UUID | None] = mapped_column()
    external_provider_id: Mapped[UUID | None] = mapped_column()
    external_record_id: Mapped[str | None] = mapped_column(String(255))
    notes: Mapped[str | None] = mapped_column(Text)
    # File names as the original stored them (strings or objects); never server paths out.
    attachments: Mapped[list[Any] | None] = mapped_column(JSON)
    rank_at_completion: Mapped[str | None] = mapped_column(String(100))
    station_at_completion: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[UUID | None] = mapped_column()
    # The expiry alert job's tiers already sent (§6), internal only.
    alert_90_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    alert_60_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    alert_30_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    alert_7_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    escalation_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TrainingRequirement(IdMixin, TimestampMixin, Base):
    """What members must complete, for whom, and in which window (§2, §5)."""

    __tablename__ = "training_requirements"
    __table_args__ = (
        Index("ix_training_requirements_org_active_due", "organization_id", "active", "due_date"),
    )

    organization_id: Mapped[UUID] = _org_column()
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    requirement_type: Mapped[RequirementType] = mapped_column(str_enum(RequirementType))
    source: Mapped[RequirementSource] = mapped_column(
        str_enum(RequirementSource), default=RequirementSource.DEPARTMENT
    )
    registry_name: Mapped[str | None] = mapped_column(String(255))
    registry_code: Mapped[str | None] = mapped_column(String(50))
    is_editable: Mapped[bool] = mapped_column(Boolean, default=True)
    allows_external_credit: Mapped[bool] = mapped_column(Boolean, default=False)
    training_type: Mapped[TrainingType | None] = mapped_column(str_enum(TrainingType))
    required_hours: Mapped[float | None] = mapped_column(Float)
    required_courses: Mapped[list[str] | None] = mapped_column(JSON)
    required_shifts: Mapped[int | None] = mapped_column(Integer)
    required_calls: Mapped[int | None] = mapped_column(Integer)
    required_call_types: Mapped[list[str] | None] = mapped_column(JSON)
    required_skills: Mapped[list[str] | None] = mapped_column(JSON)
    checklist_items: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    passing_score: Mapped[float | None] = mapped_column(Float)
    max_attempts: Mapped[int | None] = mapped_column(Integer)
    frequency: Mapped[RequirementFrequency] = mapped_column(str_enum(RequirementFrequency))
    year: Mapped[int | None] = mapped_column(Integer)
    applies_to_all: Mapped[bool] = mapped_column(Boolean, default=True)
    required_roles: Mapped[list[str] | None] = mapped_column(JSON)
    required_positions: Mapped[list[str] | None] = mapped_column(JSON)
    required_membership_types: Mapped[list[str] | None] = mapped_column(JSON)
    start_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    time_limit_days: Mapped[int | None] = mapped_column(Integer)
    due_date_type: Mapped[DueDateType] = mapped_column(
        str_enum(DueDateType), default=DueDateType.CALENDAR_PERIOD
    )
    rolling_period_months: Mapped[int | None] = mapped_column(Integer)
    period_start_month: Mapped[int] = mapped_column(Integer, default=1)
    period_start_day: Mapped[int] = mapped_column(Integer, default=1)
    period_end_month: Mapped[int | None] = mapped_column(Integer)
    period_end_day: Mapped[int | None] = mapped_column(Integer)
    include_current_month: Mapped[bool | None] = mapped_column(Boolean)  # null: the org's
    recency_days: Mapped[int | None] = mapped_column(Integer)
    category_ids: Mapped[list[str] | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[UUID | None] = mapped_column()


class TrainingWaiver(IdMixin, TimestampMixin, Base):
    """Months a member is excused from training targets (addendum §2); `requirement_ids`
    null or empty means every requirement."""

    __tablename__ = "training_waivers"
    __table_args__ = (
        Index("ix_training_waivers_org_user", "organization_id", "user_id", "active"),
        Index("ix_training_waivers_org_start", "organization_id", "start_date"),
    )

    organization_id: Mapped[UUID] = _org_column()
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    waiver_type: Mapped[LeaveType] = mapped_column(
        str_enum(LeaveType), default=LeaveType.LEAVE_OF_ABSENCE
    )
    reason: Mapped[str | None] = mapped_column(Text)  # may be medical: never audited or logged
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)  # null: open-ended
    requirement_ids: Mapped[list[str] | None] = mapped_column(JSON)
    granted_by: Mapped[UUID | None] = mapped_column()
    granted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class MemberLeaveOfAbsence(IdMixin, TimestampMixin, Base):
    """A member's leave (addendum §1): waives training through its linked waiver unless
    `exempt_from_training_waiver`; never changes the member's status."""

    __tablename__ = "member_leaves_of_absence"
    __table_args__ = (
        Index("ix_member_leaves_of_absence_org_user", "organization_id", "user_id", "active"),
        Index("ix_member_leaves_of_absence_org_start", "organization_id", "start_date"),
    )

    organization_id: Mapped[UUID] = _org_column()
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    leave_type: Mapped[LeaveType] = mapped_column(
        str_enum(LeaveType), default=LeaveType.LEAVE_OF_ABSENCE
    )
    reason: Mapped[str | None] = mapped_column(Text)  # may be medical: never audited or logged
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)  # null: open-ended ("Permanent")
    granted_by: Mapped[UUID | None] = mapped_column()
    granted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # false: deactivated
    exempt_from_training_waiver: Mapped[bool] = mapped_column(Boolean, default=False)
    linked_training_waiver_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("training_waivers.id", ondelete="SET NULL")
    )
