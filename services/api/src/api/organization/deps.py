"""The organization service of one request."""

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.trail import AuditTrail
from api.organization.repository import OrganizationRepository
from api.organization.service import OrganizationService
from shared.events.outbox import Outbox
from shared.principal import Principal


def provide_organization_service(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    audit: NamedDependency[AuditTrail],
) -> OrganizationService:
    """The caller's organization, with this request's audit trail and outbox."""
    return OrganizationService(
        organizations=OrganizationRepository(db_session, principal.organization_id),
        audit=audit,
        outbox=Outbox(db_session),
        principal=principal,
        settings=request.app.state.settings,
    )
