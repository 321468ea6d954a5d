"""Dependencies of the training controllers: the training service of each request."""

from functools import partial
from uuid import UUID

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.audit.trail import AuditTrail
from api.deps import COMMON_DEPENDENCIES
from api.training.basis import OrganizationBasis, TrainingBasis
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
from api.training.service import TrainingService, basis_of
from shared.events.outbox import Outbox
from shared.principal import Principal


async def basis_apart(
    sessionmaker: async_sessionmaker[AsyncSession], organization_id: UUID
) -> TrainingBasis:
    """The organization's basis, read in a session of its own: other requests may share the
    load."""
    async with sessionmaker() as session:
        organization = await MemberRepository(session, organization_id).organization()
        requirements = await RequirementRepository(session, organization_id).active_by_name()
        periods = await ComplianceRepository(session, organization_id).periods(None)
    return basis_of(organization, requirements, periods)


def provide_training_service(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    audit: NamedDependency[AuditTrail],
) -> TrainingService:
    """The caller's training, in the request's transaction, with its audit trail and outbox."""
    org = principal.organization_id
    state = request.app.state
    return TrainingService(
        principal=principal,
        categories=CategoryRepository(db_session, org),
        courses=CourseRepository(db_session, org),
        records=RecordRepository(db_session, org),
        members=MemberRepository(db_session, org),
        leaves=LeaveRepository(db_session, org),
        waivers=WaiverRepository(db_session, org),
        sessions=SessionRepository(db_session, org),
        session_events=SessionEventRepository(db_session, org),
        session_records=SessionRecordRepository(db_session, org),
        requirements=RequirementRepository(db_session, org),
        compliance=ComplianceRepository(db_session, org),
        audit=audit,
        outbox=Outbox(db_session),
        matrix=partial(state.matrix_runs.verdicts, org, state.sessionmaker),
        basis=OrganizationBasis(
            cache=state.training_basis,
            organization_id=org,
            load=partial(basis_apart, state.sessionmaker, org),
        ),
    )


TRAINING_DEPENDENCIES = {
    **COMMON_DEPENDENCIES,
    "training": Provide(provide_training_service, sync_to_thread=False),
}
