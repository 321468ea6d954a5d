"""Shapes of the member reads, the expiring lists and the matrix (spec training.md §4.4, §4.5)."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec

from api.training.compliance import CellStatus, CertStatus, Colour
from shared.models import (
    DueDateType,
    RequirementFrequency,
    RequirementType,
    TrainingStatus,
    TrainingType,
)


class UserTrainingStats(msgspec.Struct):
    """A member's hours and certifications over their completed records (#19)."""

    user_id: UUID
    total_hours: float
    hours_this_year: float
    total_certifications: int
    active_certifications: int
    expiring_soon: int
    expired: int
    completed_courses: int


class ComplianceSummary(msgspec.Struct):
    """A member's compliance card (#20)."""

    user_id: UUID
    requirements_met: int
    requirements_total: int
    certs_expiring_soon: int
    certs_expired: int
    compliance_status: Colour
    compliance_label: str
    hours_this_year: float
    active_certifications: int
    is_exempt: bool


class RequirementProgress(msgspec.Struct):
    """One requirement's progress for a member (#21): generic target and actual."""

    requirement_id: UUID
    requirement_name: str
    required_hours: float
    completed_hours: float
    percentage_complete: float
    is_complete: bool
    due_date: date | None
    due_date_type: DueDateType
    days_until_due: int | None


class ExpiringCertification(msgspec.Struct):
    """A certification expiring (or expired) in the organization (#23)."""

    user_id: UUID
    member_name: str
    requirement_id: UUID
    requirement_name: str
    expiry_date: date
    days_until_expiry: int
    status: CertStatus


class MatrixCell(msgspec.Struct):
    """One member's status on one requirement."""

    requirement_id: UUID
    requirement_name: str
    status: CellStatus
    completion_date: date | None
    expiry_date: date | None


class MatrixMember(msgspec.Struct):
    """A member's row: cells of the requirements that apply to them."""

    user_id: UUID
    member_name: str
    requirements: list[MatrixCell]
    completion_pct: float


class MatrixRequirement(msgspec.Struct):
    """A column of the matrix."""

    id: UUID
    name: str


class ComplianceMatrix(msgspec.Struct):
    """Active members x active requirements (#25)."""

    members: list[MatrixMember]
    requirements: list[MatrixRequirement]
    generated_at: datetime


class Visibility(msgspec.Struct, kw_only=True):
    """What the organization shows members of their own training (§4.4 my-training)."""

    show_training_history: bool = True
    show_training_hours: bool = True
    show_certification_status: bool = True
    show_pipeline_progress: bool = True
    show_requirement_details: bool = True
    show_shift_reports: bool = True
    show_shift_stats: bool = True
    show_officer_narrative: bool = False
    show_performance_rating: bool = True
    show_areas_of_strength: bool = True
    show_areas_for_improvement: bool = True
    show_skills_observed: bool = True
    show_submission_history: bool = True
    allow_member_report_export: bool = False
    report_review_required: bool = False
    report_review_role: str = "training_officer"
    rating_label: str = "Performance Rating"
    rating_scale_type: str = "stars"
    rating_scale_labels: dict[str, str] | None = None


class MyRecord(msgspec.Struct):
    """A record in My Training's history."""

    id: UUID
    course_name: str
    course_code: str | None
    training_type: TrainingType
    status: TrainingStatus
    completion_date: date | None
    hours_completed: float
    expiration_date: date | None
    instructor: str | None


class HoursSummary(msgspec.Struct):
    """The caller's hours: lifetime, this month, records and courses."""

    total_records: int
    total_hours: float
    hours_this_month: float
    completed_courses: int


class RequirementsSummary(msgspec.Struct):
    """How many applicable requirements the caller meets, and the mean progress."""

    total_requirements: int
    met_requirements: int
    avg_compliance: float | None


class RequirementDetail(msgspec.Struct):
    """One applicable requirement on My Training, its target adjusted for waived months."""

    id: UUID
    name: str
    description: str | None
    requirement_type: RequirementType
    frequency: RequirementFrequency
    training_type: TrainingType | None
    required_hours: float
    original_required_hours: float
    completed_hours: float
    progress_percentage: float
    is_met: bool
    due_date: date | None
    days_until_due: int | None
    waived_months: int
    active_months: int
    cert_expired: bool
    blocks_activity: bool


class MyCertification(msgspec.Struct):
    """A certification of the caller, with how long it has left."""

    id: UUID
    course_name: str
    certification_number: str | None
    expiration_date: date
    is_expired: bool
    days_until_expiry: int


class MyTrainingSummary(msgspec.Struct, kw_only=True):
    """The My Training page (#24); the optional blocks only when visible to the caller.
    Enrollments, shift reports and submissions belong to later modules: empty until then."""

    visibility: Visibility
    hours_summary: HoursSummary
    requirements_summary: RequirementsSummary
    requirements_detail: list[RequirementDetail]
    training_records: list[MyRecord] | msgspec.UnsetType = msgspec.UNSET
    certifications: list[MyCertification] | msgspec.UnsetType = msgspec.UNSET
    enrollments: list[dict[str, Any]] = msgspec.field(default_factory=list)
    shift_reports: list[dict[str, Any]] = msgspec.field(default_factory=list)
    shift_stats: dict[str, Any] | None = None
    submissions: list[dict[str, Any]] = msgspec.field(default_factory=list)
