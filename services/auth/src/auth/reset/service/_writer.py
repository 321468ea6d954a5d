"""What every password replacement shares: policy, history, the write and the sign-out."""

from typing import Literal
from uuid import UUID

from auth.context import AuthEvents, InstanceMemory
from auth.passwords.hashing import hash_password, verify_password
from auth.passwords.rules import password_problems, policy_message
from auth.repository import MemberRepository, ResetTokenRepository, SessionRepository
from shared.db.types import utc_now
from shared.events.contracts.auth import SessionsRevoked
from shared.models import User
from shared.settings import Settings

RejectReason = Literal["policy", "history"]
RevokeReason = Literal["password_reset", "admin_password_reset", "admin_mfa_reset"]


class CredentialWriter:
    """Replaces a member's password or signs them out, for resets by link or by an admin."""

    def __init__(
        self,
        *,
        members: MemberRepository,
        sessions: SessionRepository,
        tokens: ResetTokenRepository,
        events: AuthEvents,
        memory: InstanceMemory,
        settings: Settings,
    ) -> None:
        self.members = members
        self.sessions = sessions
        self.tokens = tokens
        self.events = events
        self.memory = memory
        self._settings = settings

    async def rejection(self, user: User, new: str) -> tuple[RejectReason, str] | None:
        """Why the new password is refused (§5.1 policy, then history), or None."""
        problems = password_problems(new)
        if problems:
            return "policy", policy_message(problems)
        count = self._settings.hipaa_password_history_count
        for earlier in await self.members.recent_password_hashes(user.id, count):
            if await verify_password(earlier, new):
                return "history", "Password was used recently; choose a new one"
        return None

    async def replace(self, user: User, new: str, *, must_change: bool) -> None:
        """New hash, the old one to history, lock cleared, outstanding links voided."""
        if user.password_hash is not None:
            self.members.remember_password(user.id, user.password_hash)
        user.password_hash = await hash_password(new)
        now = utc_now()
        user.password_changed_at = now
        user.must_change_password = must_change
        user.failed_login_attempts, user.locked_until = 0, None
        self.memory.member_changed(user.id)
        await self.tokens.retire_all(user.id, now)

    async def end_sessions(self, user: User, reason: RevokeReason, actor: UUID) -> int:
        """Revoke every live session of the member and tell every service which ones ended."""
        revoked = await self.sessions.revoke_all(user.id, reason, utc_now())
        self.memory.sessions_ended(revoked)
        self.events.publish(
            SessionsRevoked(
                **self.events.subject(user.id), session_ids=[str(i) for i in revoked], reason=reason
            ),
            organization_id=user.organization_id,
            actor_id=actor,
        )
        return len(revoked)
