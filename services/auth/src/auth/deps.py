"""Dependencies of the auth routes: each service with this request's repositories and client."""

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from auth.caller import Caller, client_info, provide_caller
from auth.mfa import MfaService
from auth.repository import (
    MemberRepository,
    MfaRepository,
    OrganizationMemberRepository,
    ResetTokenRepository,
    SessionRepository,
)
from auth.reset import CredentialAdminService, CredentialWriter, PasswordResetService
from auth.service import (
    AuthEvents,
    InstanceMemory,
    PasswordChangeService,
    SessionService,
    SignInService,
)
from shared.events.outbox import Outbox
from shared.mailer import Mailer
from shared.suspicious_ips import SuspiciousIps


def provide_events(
    request: Request[object, object, State], db_session: NamedDependency[AsyncSession]
) -> AuthEvents:
    """Auth events queued in this request's transaction, naming its client."""
    return AuthEvents(Outbox(db_session), client_info(request))


def provide_memory(
    request: Request[object, object, State], db_session: NamedDependency[AsyncSession]
) -> InstanceMemory:
    """This instance's sessions and members, told of this request's changes."""
    state = request.app.state
    return InstanceMemory(db_session, state.liveness, state.member_cache)


def provide_sign_in(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    events: NamedDependency[AuthEvents],
) -> SignInService:
    """Password and MFA sign-ins."""
    settings = request.app.state.settings
    return SignInService(
        MemberRepository(db_session),
        SessionRepository(db_session),
        events,
        settings=settings,
        suspicious=SuspiciousIps(request.app.state.redis, settings),
    )


def provide_sessions(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    events: NamedDependency[AuthEvents],
    memory: NamedDependency[InstanceMemory],
) -> SessionService:
    """Refresh, sign-out and idleness."""
    return SessionService(
        MemberRepository(db_session),
        SessionRepository(db_session),
        events,
        memory,
        settings=request.app.state.settings,
    )


def provide_password_change(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    events: NamedDependency[AuthEvents],
    memory: NamedDependency[InstanceMemory],
) -> PasswordChangeService:
    """A member's own password change."""
    return PasswordChangeService(
        MemberRepository(db_session),
        SessionRepository(db_session),
        events,
        memory,
        settings=request.app.state.settings,
    )


def provide_mfa_service(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    sign_in: NamedDependency[SignInService],
    events: NamedDependency[AuthEvents],
    memory: NamedDependency[InstanceMemory],
) -> MfaService:
    """The MFA rules with this request's repository, events and memory."""
    settings = request.app.state.settings
    return MfaService(sign_in, MfaRepository(db_session), events, memory, settings)


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
    request: Request[object, object, State], writer: NamedDependency[CredentialWriter]
) -> PasswordResetService:
    """The reset-link service of this request."""
    return PasswordResetService(writer, request.app.state.settings)


def provide_mailer(request: Request[object, object, State]) -> Mailer:
    """Mail delivery with this app's settings."""
    return Mailer(request.app.state.settings)


def provide_credential_admin(
    db_session: NamedDependency[AsyncSession],
    writer: NamedDependency[CredentialWriter],
    caller: NamedDependency[Caller],
) -> CredentialAdminService:
    """Administrator actions scoped to the caller's organization."""
    targets = OrganizationMemberRepository(db_session, caller.user.organization_id)
    return CredentialAdminService(writer, targets, MfaRepository(db_session), caller.user)


# What every auth controller takes, and what those acting for a signed-in member add.
BASE_DEPENDENCIES = {
    "events": Provide(provide_events, sync_to_thread=False),
    "memory": Provide(provide_memory, sync_to_thread=False),
}
SIGNED_IN_DEPENDENCIES = {
    **BASE_DEPENDENCIES,
    "sessions": Provide(provide_sessions, sync_to_thread=False),
    "caller": Provide(provide_caller),
}
