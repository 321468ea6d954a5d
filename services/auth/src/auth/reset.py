"""Password reset by mailed link (spec/auth.md §2.9) and administrators' resets (§2.11)."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

import structlog
from sqlalchemy import delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from auth.errors import (
    MemberNotFoundError,
    MfaStateError,
    OwnCredentialsError,
    PasswordRejectedError,
    PermissionDeniedError,
    ResetPasswordRejectedError,
    ResetTokenExpiredError,
    ResetTokenInvalidError,
    TargetOutranksCallerError,
)
from auth.mailer import ResetMail, reset_link
from auth.repository import MemberRepository, SessionRepository
from auth.service import ClientInfo, EventSubject
from shared.db.types import utc_now
from shared.events.contracts.auth import (
    MfaDisabled,
    PasswordChanged,
    PasswordResetFailed,
    PasswordResetRequested,
    SessionsRevoked,
)
from shared.events.envelope import EventData
from shared.events.outbox import Outbox
from shared.models import User, UserPosition
from shared.models.auth import MfaRecoveryCode, PasswordResetToken
from shared.passwords import hash_password, password_problems, policy_message, verify_password
from shared.permissions import effective_permissions, grants, grants_any
from shared.settings import Settings
from shared.tokens import token_hash

log = structlog.get_logger("auth.reset")
RESET_TOKEN_BYTES = 48  # 64 URL-safe characters
RESET_TOKEN_VALIDITY = timedelta(minutes=30)
MAX_RESET_TOKEN_LENGTH = 256
CREDENTIAL_ADMIN_PERMISSIONS = ("users.create", "members.manage")
RejectReason = Literal["policy", "history"]
FailReason = Literal["invalid", "expired", "policy", "history"]
RevokeReason = Literal["password_reset", "admin_password_reset", "admin_mfa_reset"]


class ResetTokenRepository:
    """Reset links by the hash of their token."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, token: PasswordResetToken) -> None:
        """Record a new link."""
        self._session.add(token)

    async def has_live(self, user_id: UUID, now: datetime) -> bool:
        """Whether the member has an unused link that has not expired."""
        stmt = select(PasswordResetToken.id).where(
            PasswordResetToken.user_id == user_id,
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > now,
        )
        return bool(await self._session.scalar(select(exists(stmt))))

    async def get_for_update(self, hashed: str) -> PasswordResetToken | None:
        """A link by its hash, locked: two resets with one link must not both succeed."""
        stmt = select(PasswordResetToken).where(PasswordResetToken.token_hash == hashed)
        return (await self._session.scalars(stmt.with_for_update())).first()

    async def retire_all(self, user_id: UUID, now: datetime) -> None:
        """Mark every unused link of the member used: a new password voids them all."""
        await self._session.execute(
            update(PasswordResetToken)
            .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
            .values(used_at=now)
        )


class OrganizationMemberRepository:
    """Members of one organization, as administrators act on them."""

    def __init__(self, session: AsyncSession, organization_id: UUID) -> None:
        self._session = session
        self._organization_id = organization_id

    async def get_for_update(self, user_id: UUID) -> User | None:
        """A member of this organization with roles loaded; a foreign id finds nothing."""
        stmt = (
            select(User)
            .where(
                User.id == user_id,
                User.organization_id == self._organization_id,
                User.deleted_at.is_(None),
            )
            .with_for_update()
            .options(selectinload(User.positions).joinedload(UserPosition.position))
        )
        return (await self._session.scalars(stmt)).first()

    async def delete_recovery_codes(self, user_id: UUID) -> None:
        """Drop the member's MFA recovery codes."""
        await self._session.execute(
            delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user_id)
        )


class CredentialWriter:
    """What every password replacement shares: policy, history, the write and sign-out."""

    def __init__(
        self,
        *,
        members: MemberRepository,
        sessions: SessionRepository,
        tokens: ResetTokenRepository,
        outbox: Outbox,
        settings: Settings,
        client: ClientInfo,
    ) -> None:
        self.members = members
        self.sessions = sessions
        self.tokens = tokens
        self._outbox = outbox
        self._settings = settings
        self._client = client

    def common(self, user_id: UUID | None) -> EventSubject:
        """The fields every auth event starts with."""
        return {
            "user_id": str(user_id) if user_id else None,
            "ip_address": self._client.ip_address,
            "user_agent": self._client.user_agent,
        }

    def publish(self, event: EventData, organization_id: UUID | None, actor: UUID | None) -> None:
        """Queue an event in this request's transaction."""
        self._outbox.add(event, organization_id=organization_id, actor_id=actor)

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
        await self.tokens.retire_all(user.id, now)

    async def end_sessions(self, user: User, reason: RevokeReason, actor: UUID) -> int:
        """Revoke every live session of the member and tell every service which ones ended."""
        revoked = await self.sessions.revoke_all(user.id, reason, utc_now())
        self.publish(
            SessionsRevoked(
                **self.common(user.id), session_ids=[str(i) for i in revoked], reason=reason
            ),
            user.organization_id,
            actor,
        )
        return len(revoked)


class PasswordResetService:
    """Forgot-password, link check and reset; never signs anyone in."""

    def __init__(self, writer: CredentialWriter, settings: Settings) -> None:
        self._writer = writer
        self._settings = settings

    async def request_reset(self, email: str) -> ResetMail | None:
        """Issue a link when an active member has the address and no live link yet."""
        address = email.strip().lower()
        user = await self._writer.members.find_for_login(address)
        now = utc_now()
        mail = None
        if (
            user is not None
            and user.is_active
            and not await self._writer.tokens.has_live(user.id, now)
        ):
            raw = secrets.token_urlsafe(RESET_TOKEN_BYTES)
            self._writer.tokens.add(
                PasswordResetToken(
                    user_id=user.id,
                    token_hash=token_hash(raw),
                    created_at=now,
                    expires_at=now + RESET_TOKEN_VALIDITY,
                )
            )
            mail = ResetMail(str(user.id), user.email, reset_link(self._settings, raw))
        self._writer.publish(
            PasswordResetRequested(
                **self._writer.common(user.id if user else None),
                email_sha256=hashlib.sha256(address.encode()).hexdigest(),
                token_issued=mail is not None,
            ),
            user.organization_id if user else None,
            None,  # nobody is signed in
        )
        return mail

    async def check_token(self, raw: str) -> None:
        """Raise the generic 400 unless the link can still be used."""
        found = await self._unused(raw)
        if found is None or found[0].expires_at <= utc_now():
            raise ResetTokenInvalidError

    async def reset(self, raw: str, new: str) -> None:
        """Set the new password from a live link; every session of the member ends."""
        found = await self._unused(raw)
        if found is None:
            self._failed(None, "invalid")
            raise ResetTokenInvalidError
        record, user = found
        if record.expires_at <= utc_now():
            record.used_at = utc_now()  # cleared: the member must ask for a new link
            self._failed(user, "expired")
            raise ResetTokenExpiredError
        rejected = await self._writer.rejection(user, new)
        if rejected is not None:
            self._failed(user, rejected[0])
            raise ResetPasswordRejectedError(rejected[1])
        await self._writer.replace(user, new, must_change=False)
        revoked = await self._writer.end_sessions(user, "password_reset", user.id)
        self._writer.publish(
            PasswordChanged(
                **self._writer.common(user.id), method="reset_token", sessions_revoked=revoked
            ),
            user.organization_id,
            user.id,
        )
        log.info("auth.password_reset_completed", user_id=str(user.id), sessions_revoked=revoked)

    async def _unused(self, raw: str) -> tuple[PasswordResetToken, User] | None:
        """An unused link (expired or not) of an active member, locked; else None."""
        if len(raw) > MAX_RESET_TOKEN_LENGTH:
            return None
        record = await self._writer.tokens.get_for_update(token_hash(raw))
        if record is None or record.used_at is not None:
            return None
        user = await self._writer.members.get_with_positions(record.user_id)
        if user is None or not user.is_active:
            return None
        return record, user

    def _failed(self, user: User | None, reason: FailReason) -> None:
        self._writer.publish(
            PasswordResetFailed(**self._writer.common(user.id if user else None), reason=reason),
            user.organization_id if user else None,
            None,
        )


class CredentialAdminService:
    """An administrator resets a member's password or MFA (§2.11)."""

    def __init__(
        self, writer: CredentialWriter, targets: OrganizationMemberRepository, caller: User
    ) -> None:
        self._writer = writer
        self._targets = targets
        self._caller = caller

    async def reset_password(self, user_id: UUID, new: str, *, force_change: bool) -> None:
        """Set the member's password; by default they must change it at the next sign-in."""
        target = await self._target(user_id)
        rejected = await self._writer.rejection(target, new)
        if rejected is not None:
            raise PasswordRejectedError(rejected[1])
        await self._writer.replace(target, new, must_change=force_change)
        revoked = await self._writer.end_sessions(target, "admin_password_reset", self._caller.id)
        self._writer.publish(
            PasswordChanged(
                **self._writer.common(target.id),
                method="admin",
                force_change=force_change,
                sessions_revoked=revoked,
            ),
            target.organization_id,
            self._caller.id,
        )
        log.info("auth.admin_password_reset", user_id=str(target.id), by=str(self._caller.id))

    async def reset_mfa(self, user_id: UUID) -> None:
        """Turn the member's MFA off, secret and recovery codes included."""
        target = await self._target(user_id)
        if not target.mfa_enabled:
            raise MfaStateError("Two-factor authentication is not enabled for this member")
        target.mfa_enabled, target.mfa_secret, target.mfa_last_timestep = False, None, None
        await self._targets.delete_recovery_codes(target.id)
        await self._writer.end_sessions(target, "admin_mfa_reset", self._caller.id)
        self._writer.publish(
            MfaDisabled(**self._writer.common(target.id), by_admin=True),
            target.organization_id,
            self._caller.id,
        )
        log.info("auth.admin_mfa_reset", user_id=str(target.id), by=str(self._caller.id))

    async def _target(self, user_id: UUID) -> User:
        held = effective_permissions(self._caller)
        if not grants_any(held, CREDENTIAL_ADMIN_PERMISSIONS):
            raise PermissionDeniedError
        if user_id == self._caller.id:
            raise OwnCredentialsError
        target = await self._targets.get_for_update(user_id)
        if target is None:
            raise MemberNotFoundError(user_id=str(user_id))
        if not _covers(held, effective_permissions(target)):
            raise TargetOutranksCallerError(user_id=str(user_id))
        return target


def _covers(held: frozenset[str], wanted: Iterable[str]) -> bool:
    return all(grants(held, permission) for permission in wanted)
