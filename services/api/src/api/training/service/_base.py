"""The training service's fields and what its topics share: lookups that 404, the org's
"today", audit entries and events."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from api.audit.trail import AuditTrail
from api.training.basis import OrganizationBasis
from api.training.errors import (
    CategoryNotFoundError,
    CourseNotFoundError,
    RecordNotFoundError,
)
from api.training.permissions import MANAGE
from api.training.repository import (
    CategoryRepository,
    ComplianceRepository,
    CourseRepository,
    LeaveRepository,
    MemberRepository,
    RecordRepository,
    RequirementRepository,
    SessionEventRepository,
    SessionRecordRepository,
    SessionRepository,
    WaiverRepository,
)
from api.training.service._verdicts import MatrixVerdicts
from shared.events.envelope import EventData
from shared.events.outbox import Outbox
from shared.models import TrainingCategory, TrainingCourse, TrainingRecord
from shared.permissions import grants
from shared.principal import Principal

AUDIT_CATEGORY = "training"


@dataclass
class TrainingServiceBase:
    """One request's caller, repositories, audit trail and outbox, all in its transaction.

    A topic needing another repository adds a field here and one line in `deps.py`.
    """

    principal: Principal
    categories: CategoryRepository
    courses: CourseRepository
    records: RecordRepository
    members: MemberRepository
    leaves: LeaveRepository
    waivers: WaiverRepository
    sessions: SessionRepository
    session_events: SessionEventRepository
    session_records: SessionRecordRepository
    requirements: RequirementRepository
    compliance: ComplianceRepository
    audit: AuditTrail
    outbox: Outbox
    # The organization's matrix verdicts, shared with concurrent callers (matrix_runs.py).
    matrix: Callable[[], Awaitable[MatrixVerdicts]]
    # The organization's terms, requirements, waivers and leaves, kept in memory (basis.py).
    basis: OrganizationBasis

    @property
    def manages(self) -> bool:
        """Whether the caller is a training officer (`training.manage`, or a wildcard)."""
        return grants(self.principal.permissions, MANAGE)

    def _publish(self, data: EventData) -> None:
        """Queue an event in the request's transaction, on behalf of the caller; a change of
        the organization's basis drops it once committed."""
        self.outbox.add(
            data, organization_id=self.principal.organization_id, actor_id=self.principal.user_id
        )

    async def _record(self, event_type: str, severity: str = "info", **data: Any) -> None:
        """An audit entry of the training category for this request's caller."""
        await self.audit.record(event_type, AUDIT_CATEGORY, severity, **data)

    async def _today(self) -> date:
        """The organization's local date (§1 "Today" [fix]): its zone, UTC when unset."""
        return (await self.basis.get()).terms.standing().today

    async def _category(self, category_id: UUID) -> TrainingCategory:
        found = await self.categories.get(category_id)
        if found is None:
            raise CategoryNotFoundError
        return found

    async def _course(self, course_id: UUID) -> TrainingCourse:
        found = await self.courses.get(course_id)
        if found is None:
            raise CourseNotFoundError
        return found

    async def _locked_record(self, record_id: UUID) -> TrainingRecord:
        found = await self.records.get_for_update(record_id)
        if found is None:
            raise RecordNotFoundError
        return found
