"""The role service of one request."""

from functools import partial

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.trail import AuditTrail
from api.roles.cache import forget_after_commit
from api.roles.repository import RoleRepository
from api.roles.service import RoleService
from shared.events.outbox import Outbox
from shared.principal import Principal


def provide_role_service(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    audit: NamedDependency[AuditTrail],
) -> RoleService:
    """Roles of the caller's organization, with this request's audit trail and outbox."""
    return RoleService(
        roles=RoleRepository(db_session, principal.organization_id),
        audit=audit,
        outbox=Outbox(db_session),
        principal=principal,
        forget_after_commit=partial(
            forget_after_commit, db_session, request.app.state.member_cache
        ),
    )
