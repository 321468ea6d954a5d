"""Dependencies of the member controllers: the member service of each request."""

from functools import partial

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.trail import AuditTrail
from api.deps import COMMON_DEPENDENCIES
from api.members.cache import forget_member
from api.members.holdings_repository import HoldingsRepository
from api.members.passwords import AuthPasswords
from api.members.repository import (
    AuditHistoryRepository,
    MemberRepository,
    OrganizationRepository,
    RoleRepository,
)
from api.members.roster_cache import ROSTERS
from api.members.service import MemberService
from api.roles.repository import RoleRepository as Administrators
from shared.events.outbox import Outbox
from shared.principal import Principal


def provide_member_service(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    audit: NamedDependency[AuditTrail],
) -> MemberService:
    """The caller's members, in the request's transaction, with this process's roster cache."""
    org = principal.organization_id
    state = request.app.state
    return MemberService(
        principal=principal,
        members=MemberRepository(db_session, org),
        roles=RoleRepository(db_session, org),
        organization=OrganizationRepository(db_session, org),
        audit_history=AuditHistoryRepository(db_session, org),
        holdings=HoldingsRepository(db_session, org),
        administrators=Administrators(db_session, org),
        audit=audit,
        outbox=Outbox(db_session),
        rosters=ROSTERS,
        passwords=AuthPasswords(state.settings),
        forget=partial(forget_member, db_session, state.member_cache),
    )


MEMBER_DEPENDENCIES = {
    **COMMON_DEPENDENCIES,
    "members": Provide(provide_member_service, sync_to_thread=False),
}
