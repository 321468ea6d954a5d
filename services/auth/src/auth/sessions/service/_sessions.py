"""Refresh rotation with reuse detection, sign-out and idleness (spec/auth.md §2.3, §2.4, §4)."""

import hmac
from datetime import timedelta
from functools import partial
from uuid import UUID

import structlog

from auth.context import AuthEvents, AuthStore, InstanceMemory, IssuedTokens, Refusals
from auth.errors import SessionInvalidError
from auth.repository import MemberRepository, SessionRepository
from auth.sessions.service._sign_in import access_token
from auth.tokens import new_csrf_token, new_refresh_token, refresh_session_id, token_hash
from shared.db.types import utc_now
from shared.events.contracts.auth import SessionEnded, SessionsRevoked, TokenReuseDetected
from shared.models import AuthSession
from shared.principal import Principal
from shared.settings import Settings

log = structlog.get_logger("auth.sessions")


class SessionService:
    """A session's life after sign-in; built per request, never commits.

    A refused refresh that ends sessions (a reused token, an idle session) keeps that end through
    `Refusals`, written once the request's transaction has rolled back.
    """

    def __init__(
        self,
        members: MemberRepository,
        sessions: SessionRepository,
        events: AuthEvents,
        memory: InstanceMemory,
        refusals: Refusals,
        *,
        settings: Settings,
    ) -> None:
        self._members = members
        self._sessions = sessions
        self._events = events
        self._memory = memory
        self._refusals = refusals
        self._settings = settings

    async def refresh(self, token: str) -> IssuedTokens:
        """Rotate a session's tokens; a token already rotated out revokes the whole family."""
        session_id = refresh_session_id(self._settings, token)
        auth_session = await self._sessions.get_for_update(session_id) if session_id else None
        if auth_session is None:
            raise SessionInvalidError("unknown_refresh_token")
        if not hmac.compare_digest(auth_session.refresh_hash, token_hash(token)):
            self._refusals.keep(partial(_reuse_detected, auth_session.id, auth_session.user_id))
            raise SessionInvalidError("refresh_reuse")
        if auth_session.revoked_at is not None:
            # The last token of a session that was ended (sign-out, password change, an
            # administrator, idleness): nothing was stolen, the session is simply over.
            raise SessionInvalidError("session_ended")
        if self.is_idle(auth_session):
            self._memory.sessions_ended([auth_session.id])
            self._refusals.keep(partial(end_idle_session, auth_session.id))
            raise SessionInvalidError("idle_timeout")
        user = await self._members.get_with_positions(auth_session.user_id)
        organization = await self._members.organization(auth_session.organization_id)
        if user is None or not user.is_active or organization is None or not organization.active:
            raise SessionInvalidError("member_inactive")
        refresh = new_refresh_token(self._settings, auth_session.id)
        auth_session.refresh_hash = token_hash(refresh)
        auth_session.refreshed_at = auth_session.last_activity_at = utc_now()
        access = access_token(self._settings, user, auth_session.id)
        return IssuedTokens(access, refresh, new_csrf_token())

    def is_idle(self, auth_session: AuthSession) -> bool:
        """Quiet for longer than the server-side idle timeout."""
        limit = timedelta(minutes=self._settings.hipaa_session_timeout_minutes)
        # Activity noted by any service counts, not only requests to auth.
        noted = self._memory.liveness.last_activity(str(auth_session.id))
        last = max(auth_session.last_activity_at, noted or auth_session.last_activity_at)
        return utc_now() - last > limit

    async def logout(self, principal: Principal) -> None:
        """End the caller's session only (one ended meanwhile stays as it ended)."""
        auth_session = await self._sessions.get_for_update(principal.session_id)
        if auth_session is None or auth_session.revoked_at is not None:
            return
        auth_session.revoked_at, auth_session.revoke_reason = utc_now(), "logout"
        self._memory.sessions_ended([auth_session.id])
        self._events.publish(
            SessionEnded(
                **self._events.subject(auth_session.user_id),
                session_id=str(auth_session.id),
                reason="logout",
            ),
            organization_id=auth_session.organization_id,
            actor_id=auth_session.user_id,
        )


async def end_idle_session(session_id: UUID, store: AuthStore) -> None:
    """Revoke a session that was quiet too long, and announce it (once, if two requests saw it)."""
    store.memory.sessions_ended([session_id])
    auth_session = await store.sessions.get_for_update(session_id)
    if auth_session is None or auth_session.revoked_at is not None:
        return
    auth_session.revoked_at, auth_session.revoke_reason = utc_now(), "idle_timeout"
    store.events.publish(
        SessionEnded(
            **store.events.subject(auth_session.user_id),
            session_id=str(auth_session.id),
            reason="idle_timeout",
        ),
        organization_id=auth_session.organization_id,
        actor_id=auth_session.user_id,
    )


async def _reuse_detected(session_id: UUID, user_id: UUID, store: AuthStore) -> None:
    """A refresh token rotated out came back: every live session of its member ends."""
    revoked = await store.sessions.revoke_all(user_id, "refresh_reuse", utc_now())
    store.memory.sessions_ended([session_id, *revoked])
    subject = store.events.subject(user_id)
    owner = await store.members.get_with_positions(user_id)
    store.events.publish_for(
        TokenReuseDetected(**subject, session_id=str(session_id), sessions_revoked=len(revoked)),
        owner,
    )
    if revoked:
        store.events.publish_for(
            SessionsRevoked(
                **subject, session_ids=[str(i) for i in revoked], reason="refresh_reuse"
            ),
            owner,
        )
    log.warning("auth.refresh_reuse_detected", user_id=str(user_id), sessions_revoked=len(revoked))
