"""Builds the audit service of one request."""

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.chain import signing_key
from api.audit.repository import AuditLogRepository
from api.audit.service import AuditService
from api.audit.trail import AuditTrail
from shared.principal import Principal


def provide_audit_service(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    audit: NamedDependency[AuditTrail],
) -> AuditService:
    """The caller's organization's trail, verified with the platform's signing key."""
    return AuditService(
        AuditLogRepository(db_session, principal.organization_id),
        audit,
        signing_key(request.app.state.settings),
    )
