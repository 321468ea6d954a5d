"""Training events the api publishes (spec training.md §9): `logbook.api.training.<verb>`."""

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from shared.events.envelope import EventData

# What happened to a library row or a requirement.
ChangeVerb = Literal["created", "updated", "deleted"]
# The expiry alert tiers (§6): days before expiration, or `expired`.
AlertTier = Literal["90", "60", "30", "7", "expired"]


class RecordFacts(EventData, frozen=True, kw_only=True):
    """What every record write carries: whose record, of what, its state, hours and dates."""

    record_id: UUID
    user_id: UUID
    course_id: UUID | None = None
    course_name: str
    status: str
    hours_completed: float
    completion_date: date | None = None
    expiration_date: date | None = None
    training_session_id: UUID | None = None


class RecordCreated(RecordFacts, frozen=True, kw_only=True):
    """A record was created (one event per row of a bulk create)."""

    subject: ClassVar[str] = "logbook.api.training.record_created"


class RecordUpdated(RecordFacts, frozen=True, kw_only=True):
    """A record's fields changed."""

    subject: ClassVar[str] = "logbook.api.training.record_updated"
    changed_fields: list[str]


class RecordVoided(RecordFacts, frozen=True, kw_only=True):
    """A record was voided: it stays, `cancelled`, with a marker line in its notes."""

    subject: ClassVar[str] = "logbook.api.training.record_voided"


class RecordCompleted(EventData, frozen=True, kw_only=True):
    """A record became `completed` (created so, or changed to it): it now counts."""

    subject: ClassVar[str] = "logbook.api.training.record_completed"
    record_id: UUID
    user_id: UUID
    hours_completed: float
    category_id: UUID | None = None
    completion_date: date | None = None
    expiration_date: date | None = None


class RequirementChanged(EventData, frozen=True, kw_only=True):
    """A requirement was created, edited or deleted: compliance figures may change."""

    subject: ClassVar[str] = "logbook.api.training.requirement_changed"
    requirement_id: UUID
    verb: ChangeVerb


class CourseChanged(EventData, frozen=True, kw_only=True):
    """A course of the library was created or edited (courses are never deleted)."""

    subject: ClassVar[str] = "logbook.api.training.course_changed"
    course_id: UUID
    verb: ChangeVerb


class CategoryChanged(EventData, frozen=True, kw_only=True):
    """A category was created, edited or deactivated (`deleted`: its soft delete)."""

    subject: ClassVar[str] = "logbook.api.training.category_changed"
    category_id: UUID
    verb: ChangeVerb


class CertificationAlert(EventData, frozen=True, kw_only=True):
    """What an expiry alert carries: the member's newest record of a certification."""

    record_id: UUID
    user_id: UUID
    course_name: str
    tier: AlertTier
    expiration_date: date


class CertificationExpiring(CertificationAlert, frozen=True, kw_only=True):
    """The daily alert job found a certification expiring within a tier (90, 60, 30, 7)."""

    subject: ClassVar[str] = "logbook.api.training.certification_expiring"


class CertificationExpired(CertificationAlert, frozen=True, kw_only=True):
    """The daily alert job found a certification expired and not renewed."""

    subject: ClassVar[str] = "logbook.api.training.certification_expired"
