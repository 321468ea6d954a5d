"""Dependencies of the member controllers: one context and its services per request."""

from functools import partial

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.trail import AuditTrail
from api.deps import COMMON_DEPENDENCIES
from api.members.cache import forget_member
from api.members.passwords import AuthPasswords
from api.members.repository import (
    AuditHistoryRepository,
    MemberRepository,
    OrganizationRepository,
    RoleRepository,
)
from api.members.roster_cache import ROSTERS
from api.members.service import (
    MemberContext,
    MemberCreator,
    MemberEditor,
    MemberLifecycle,
    MemberPhotos,
    MemberReader,
)
from api.roles.repository import RoleRepository as Administrators
from shared.events.outbox import Outbox
from shared.principal import Principal


def provide_member_context(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    audit: NamedDependency[AuditTrail],
) -> MemberContext:
    """The caller's repositories, audit trail and outbox, all in the request's transaction."""
    org = principal.organization_id
    return MemberContext(
        principal=principal,
        session=db_session,
        audit=audit,
        outbox=Outbox(db_session),
        members=MemberRepository(db_session, org),
        roles=RoleRepository(db_session, org),
        organization=OrganizationRepository(db_session, org),
        history=AuditHistoryRepository(db_session, org),
        administrators=Administrators(db_session, org),
        forget=partial(forget_member, db_session, request.app.state.member_cache),
    )


def provide_reader(member_context: NamedDependency[MemberContext]) -> MemberReader:
    """Reads of this request, with this process's roster cache."""
    return MemberReader(member_context, ROSTERS)


def provide_creator(
    request: Request[object, object, State], member_context: NamedDependency[MemberContext]
) -> MemberCreator:
    """Member creation of this request, with the call to auth for a chosen password."""
    return MemberCreator(member_context, AuthPasswords(request.app.state.settings))


def provide_editor(member_context: NamedDependency[MemberContext]) -> MemberEditor:
    """Profile, contact and role changes of this request."""
    return MemberEditor(member_context)


def provide_lifecycle(member_context: NamedDependency[MemberContext]) -> MemberLifecycle:
    """Lifecycle changes of this request."""
    return MemberLifecycle(member_context)


def provide_photos(member_context: NamedDependency[MemberContext]) -> MemberPhotos:
    """Photo changes of this request."""
    return MemberPhotos(member_context)


MEMBER_DEPENDENCIES = {
    **COMMON_DEPENDENCIES,
    "member_context": Provide(provide_member_context, sync_to_thread=False),
    "reader": Provide(provide_reader, sync_to_thread=False),
    "creator": Provide(provide_creator, sync_to_thread=False),
    "editor": Provide(provide_editor, sync_to_thread=False),
    "lifecycle": Provide(provide_lifecycle, sync_to_thread=False),
    "photos": Provide(provide_photos, sync_to_thread=False),
}
