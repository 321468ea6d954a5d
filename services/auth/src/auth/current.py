"""The signed-in member of `/auth/me` and `/auth/session-settings`, without SQL on most requests.

Authenticated the way every other service does it (shared/principal.py): the token's signature,
its session (checked in the database once per instance, and on every request while the
revocation stream is not current), then idleness from `SessionLiveness`; the member's
`CurrentUser` comes from this instance's member cache, kept a minute and dropped at once by this
instance's own writes and by auth, member, role and organization events. Both routes are open
to members behind the password and MFA gates of §4, so no gate applies here. Only a first use
of a session, a cache miss and an idle session touch the database, each in a short transaction
of its own.
"""

from dataclasses import dataclass
from functools import partial
from uuid import UUID

from litestar import Request
from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.caller import client_info
from auth.errors import SessionInvalidError
from auth.repository import MemberRepository, SessionRepository
from auth.schemas import CurrentUser
from auth.service import AuthEvents, InstanceMemory, SessionService, current_user
from shared.events.outbox import Outbox
from shared.principal import bearer_claims, check_session, session_idle
from shared.settings import Settings

PROFILE = "auth.current_user"


@dataclass(frozen=True)
class Profile:
    """What `/auth/me` answers about a member, and whether they may use a session."""

    active: bool  # the member, and their organization
    organization_id: UUID
    body: CurrentUser


async def provide_current_user(request: Request[object, object, State]) -> CurrentUser:
    """The member of the request's live session; 401 for a revoked, idle or inactive one."""
    state = request.app.state
    settings: Settings = state.settings
    claims = bearer_claims(request, settings)
    session_id = str(claims.session_id)
    await check_session(state.liveness, state.sessionmaker, claims)
    if session_idle(state.liveness, claims, settings):
        await _end_idle_session(request, claims.session_id)
        raise SessionInvalidError("idle_timeout")
    profile: Profile | None = await state.member_cache.remembered(
        claims.user_id,
        PROFILE,
        partial(_load_profile, state.sessionmaker, settings, claims.user_id),
    )
    if profile is None or not profile.active:
        raise SessionInvalidError("member_inactive")
    if profile.organization_id != claims.organization_id:
        raise SessionInvalidError("organization_mismatch")
    state.liveness.note_activity(session_id)
    return profile.body


async def _load_profile(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, user_id: UUID
) -> Profile | None:
    async with sessionmaker() as session:
        members = MemberRepository(session)
        user = await members.get_with_positions(user_id)
        if user is None:
            return None
        organization = await members.organization(user.organization_id)
        active = user.is_active and organization is not None and organization.active
        return Profile(active, user.organization_id, current_user(user, organization, settings))


async def _end_idle_session(request: Request[object, object, State], session_id: UUID) -> None:
    """Revoke the session and announce it, as a refresh finding it idle would."""
    state = request.app.state
    async with state.sessionmaker() as session:
        sessions = SessionService(
            MemberRepository(session),
            SessionRepository(session),
            AuthEvents(Outbox(session), client_info(request)),
            InstanceMemory(session, state.liveness, state.member_cache),
            settings=state.settings,
        )
        await sessions.end_idle_session(session_id)
        await session.commit()
