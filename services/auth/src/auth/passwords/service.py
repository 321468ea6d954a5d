"""A member changes their own password (spec/auth.md §2.8, §5.1)."""

from datetime import timedelta

from auth.context import AuthEvents, InstanceMemory, IssuedTokens
from auth.errors import PasswordRejectedError, SessionInvalidError
from auth.passwords.hashing import hash_password, verify_password
from auth.passwords.rules import password_problems, policy_message
from auth.repository import MemberRepository, SessionRepository
from auth.sessions.service._sign_in import open_session
from shared.db.types import utc_now
from shared.events.contracts.auth import PasswordChanged, SessionsRevoked
from shared.models import User
from shared.principal import Principal
from shared.settings import Settings


class PasswordChangeService:
    """The checks of §2.8 and the sign-out everywhere that follows; never commits."""

    def __init__(
        self,
        members: MemberRepository,
        sessions: SessionRepository,
        events: AuthEvents,
        memory: InstanceMemory,
        *,
        settings: Settings,
    ) -> None:
        self._members = members
        self._sessions = sessions
        self._events = events
        self._memory = memory
        self._settings = settings

    async def change_password(self, principal: Principal, current: str, new: str) -> IssuedTokens:
        """Replace the password after the checks of §2.8.

        Every session of the member ends, the caller's included, and the caller's device gets a
        new session: its old refresh token then belongs to an ended session (a plain 401), never
        to a live one it was rotated out of (which would look like theft).
        """
        user = await self._members.get_for_update(principal.user_id)
        if user is None:
            raise SessionInvalidError("member_inactive")
        if not await verify_password(user.password_hash, current):
            raise PasswordRejectedError("Current password is incorrect")
        history = await self._members.recent_password_hashes(
            user.id, self._settings.hipaa_password_history_count
        )
        self._check_minimum_age(user, has_history=bool(history))
        problems = password_problems(new)
        if problems:
            raise PasswordRejectedError(policy_message(problems))
        for earlier in history:
            if await verify_password(earlier, new):
                raise PasswordRejectedError("Password was used recently; choose a new one")
        if await verify_password(user.password_hash, new):
            raise PasswordRejectedError("New password must differ from the current one")
        if user.password_hash is not None:
            self._members.remember_password(user.id, user.password_hash)
        user.password_hash = await hash_password(new)
        now = utc_now()
        user.password_changed_at = now
        user.must_change_password = False
        user.failed_login_attempts, user.locked_until = 0, None
        revoked = await self._sessions.revoke_all(user.id, "password_changed", now)
        self._memory.sessions_ended(revoked)
        self._memory.member_changed(user.id)
        subject = self._events.subject(user.id)
        self._events.publish_for(
            PasswordChanged(**subject, method="self", sessions_revoked=len(revoked)), user
        )
        self._events.publish_for(
            SessionsRevoked(
                **subject, session_ids=[str(i) for i in revoked], reason="password_changed"
            ),
            user,
        )
        _, tokens = open_session(self._settings, self._sessions, self._events.client, user)
        return tokens

    def _check_minimum_age(self, user: User, *, has_history: bool) -> None:
        # §5.1: voluntary changes at most once a day, so the history cannot be cycled through
        # in one sitting; not while a change is required, nor before the first change.
        days = self._settings.hipaa_minimum_password_age_days
        if not days or user.must_change_password or not has_history:
            return
        changed = user.password_changed_at
        if changed is not None and utc_now() - changed < timedelta(days=days):
            unit = "day" if days == 1 else "days"
            raise PasswordRejectedError(
                f"Password was changed less than {days} {unit} ago; try again later"
            )
