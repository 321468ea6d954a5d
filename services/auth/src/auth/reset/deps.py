"""Dependencies of the reset routes: by mailed link, and by an administrator."""

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from auth.context import AuthEvents, InstanceMemory, Refusals
from auth.repository import (
    MemberRepository,
    MfaRepository,
    OrganizationMemberRepository,
    ResetTokenRepository,
    SessionRepository,
)
from auth.reset.service import CredentialAdminService, CredentialWriter, PasswordResetService
from shared.mailer import Mailer
from shared.principal import Principal


def provide_credential_writer(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    events: NamedDependency[AuthEvents],
    memory: NamedDependency[InstanceMemory],
) -> CredentialWriter:
    """Repositories, events and memory of this request, for any password replacement."""
    return CredentialWriter(
        members=MemberRepository(db_session),
        sessions=SessionRepository(db_session),
        tokens=ResetTokenRepository(db_session),
        events=events,
        memory=memory,
        settings=request.app.state.settings,
    )


def provide_reset_service(
    request: Request[object, object, State],
    writer: NamedDependency[CredentialWriter],
    refusals: NamedDependency[Refusals],
) -> PasswordResetService:
    """The reset-link service of this request."""
    return PasswordResetService(writer, refusals, request.app.state.settings)


def provide_mailer(request: Request[object, object, State]) -> Mailer:
    """Mail delivery with this app's settings."""
    return Mailer(request.app.state.settings)


def provide_credential_admin(
    db_session: NamedDependency[AsyncSession],
    writer: NamedDependency[CredentialWriter],
    principal: NamedDependency[Principal],
) -> CredentialAdminService:
    """Administrator actions scoped to the caller's organization."""
    targets = OrganizationMemberRepository(db_session, principal.organization_id)
    return CredentialAdminService(writer, targets, MfaRepository(db_session), principal)
