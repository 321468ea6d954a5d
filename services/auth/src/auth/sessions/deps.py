"""Dependencies of the sign-in and session routes."""

from functools import partial

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from auth.context import AuthEvents, InstanceMemory, Refusals
from auth.repository import MemberRepository, SessionRepository, member_reader
from auth.sessions.service import OnboardingService, ProfileService, SessionService, SignInService
from auth.suspicious_ips import SuspiciousIps


def provide_sign_in(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    events: NamedDependency[AuthEvents],
    refusals: NamedDependency[Refusals],
) -> SignInService:
    """Password and MFA sign-ins."""
    settings = request.app.state.settings
    return SignInService(
        MemberRepository(db_session),
        SessionRepository(db_session),
        events,
        refusals,
        settings=settings,
        suspicious=SuspiciousIps(request.app.state.redis, settings),
    )


def provide_sessions(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    events: NamedDependency[AuthEvents],
    memory: NamedDependency[InstanceMemory],
    refusals: NamedDependency[Refusals],
) -> SessionService:
    """Refresh, sign-out and idleness."""
    return SessionService(
        MemberRepository(db_session),
        SessionRepository(db_session),
        events,
        memory,
        refusals,
        settings=request.app.state.settings,
    )


def provide_profiles(request: Request[object, object, State]) -> ProfileService:
    """Signed-in members' `CurrentUser` bodies, from this instance's member cache."""
    state = request.app.state
    return ProfileService(
        partial(member_reader, state.sessionmaker), state.member_cache, state.settings
    )


def provide_onboarding(db_session: NamedDependency[AsyncSession]) -> OnboardingService:
    """The login page's branding and first-run status."""
    return OnboardingService(MemberRepository(db_session))
