"""Sign-in, refresh rotation, sign-out and password change: the rules of spec/auth.md."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, TypedDict
from uuid import UUID, uuid4

import structlog

from auth.errors import (
    AccountInactiveError,
    AddressBlockedError,
    InvalidCredentialsError,
    PasswordRejectedError,
    SessionInvalidError,
)
from auth.repository import MemberRepository, SessionRepository
from auth.schemas import CurrentUser
from shared.db.types import utc_now
from shared.events.contracts.auth import (
    AccountLocked,
    IpBlocked,
    LoginFailed,
    LoginMfaChallenged,
    LoginSucceeded,
    PasswordChanged,
    SessionEnded,
    SessionsRevoked,
    TokenReuseDetected,
)
from shared.events.envelope import EventData
from shared.events.outbox import Outbox
from shared.models import AuthSession, Organization, User
from shared.models.organization import DEFAULT_TIMEZONE
from shared.passwords import (
    hash_password,
    needs_rehash,
    password_problems,
    policy_message,
    verify_password,
)
from shared.permissions import effective_permissions
from shared.session_liveness import SessionLiveness
from shared.settings import Settings
from shared.suspicious_ips import SuspiciousIps
from shared.tokens import (
    issue_access_token,
    issue_mfa_token,
    new_csrf_token,
    new_refresh_token,
    refresh_session_id,
    token_hash,
)

log = structlog.get_logger("auth.service")
FailureReason = Literal["invalid_credentials", "locked", "inactive"]


class EventSubject(TypedDict):
    """The fields every auth event starts with."""

    user_id: str | None
    ip_address: str | None
    user_agent: str | None


@dataclass(frozen=True)
class IssuedTokens:
    """What the gateway turns into the three cookies."""

    access: str
    refresh: str
    csrf: str


@dataclass(frozen=True)
class SignIn:
    """A completed sign-in: who, in which organization, with which tokens."""

    user: User
    organization: Organization | None
    tokens: IssuedTokens


@dataclass(frozen=True)
class MfaChallenge:
    """The password was right and the member uses MFA: a code must follow (§2.1)."""

    token: str


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from, recorded on the session."""

    ip_address: str | None
    user_agent: str | None


class AuthService:
    """The auth rules; built per request, never commits (the request's session does)."""

    def __init__(
        self,
        members: MemberRepository,
        sessions: SessionRepository,
        outbox: Outbox,
        *,
        settings: Settings,
        client: ClientInfo,
        liveness: SessionLiveness,
        suspicious: SuspiciousIps,
    ) -> None:
        self._members = members
        self._sessions = sessions
        self._outbox = outbox
        self._settings = settings
        self._client = client
        self._liveness = liveness
        self._suspicious = suspicious

    def _publish(self, event: EventData, user: User | None) -> None:
        self._outbox.add(
            event,
            organization_id=user.organization_id if user else None,
            actor_id=user.id if user else None,
        )

    def _common(self, user_id: UUID | None) -> EventSubject:
        return {
            "user_id": str(user_id) if user_id else None,
            "ip_address": self._client.ip_address,
            "user_agent": self._client.user_agent,
        }

    async def _failed(self, identifier: str, user: User | None, reason: FailureReason) -> None:
        await self._address_failed()
        digest = hashlib.sha256(identifier.strip().lower().encode()).hexdigest()
        attempts = user.failed_login_attempts if user else 0
        self._publish(
            LoginFailed(
                **self._common(user.id if user else None),
                identifier_sha256=digest,
                reason=reason,
                failed_attempts=attempts,
            ),
            user,
        )

    async def login(self, identifier: str, password: str) -> SignIn | MfaChallenge:
        """Check the password (with lockout); open a session, or challenge an MFA member."""
        await self.refuse_blocked_address()
        user = await self._members.find_for_login(identifier)
        now = utc_now()
        if user is None or (user.locked_until is not None and user.locked_until > now):
            await verify_password(None, password)  # same time as a real check
            await self._failed(
                identifier, user, "invalid_credentials" if user is None else "locked"
            )
            raise InvalidCredentialsError("unknown" if user is None else "locked")
        if not await verify_password(user.password_hash, password):
            self._count_failure(user)
            await self._failed(identifier, user, "invalid_credentials")
            raise InvalidCredentialsError("wrong_password")
        if not user.is_active:
            await self._failed(identifier, user, "inactive")
            raise AccountInactiveError(user_id=str(user.id))
        if user.password_hash is not None and needs_rehash(user.password_hash):
            user.password_hash = await hash_password(password)
        user.failed_login_attempts = 0  # a correct password clears it, even before MFA (§5.3)
        user.locked_until = None
        if user.mfa_enabled:
            self._publish(LoginMfaChallenged(**self._common(user.id)), user)
            log.info("auth.mfa_challenged", user_id=str(user.id))
            return MfaChallenge(issue_mfa_token(self._settings, user.id))
        return await self._complete_sign_in(user, mfa_used=False)

    async def refuse_blocked_address(self) -> None:
        """429 while the client's address is blocked by the suspicious-address throttle."""
        seconds = await self._suspicious.blocked_for(self._address)
        if seconds:
            raise AddressBlockedError(seconds)

    async def _address_failed(self) -> None:
        if not await self._suspicious.record_failure(self._address):
            return
        settings = self._settings
        self._publish(
            IpBlocked(
                **self._common(None),
                failures=settings.suspicious_ip_max_failures,
                window_seconds=settings.suspicious_ip_window_seconds,
                block_seconds=settings.suspicious_ip_block_seconds,
            ),
            None,
        )
        log.warning("auth.address_blocked", ip=self._address)

    @property
    def _address(self) -> str:
        return self._client.ip_address or "unknown"

    async def _complete_sign_in(self, user: User, *, mfa_used: bool) -> SignIn:
        await self._suspicious.clear(self._address)
        user.failed_login_attempts, user.locked_until = 0, None
        user.last_login_at = utc_now()
        session_id, tokens = self._open_session(user)
        organization = await self._members.organization(user.organization_id)
        self._publish(
            LoginSucceeded(
                **self._common(user.id),
                session_id=str(session_id),
                method="mfa" if mfa_used else "password",
                mfa_used=mfa_used,
                must_change_password=user.must_change_password,
                password_expired=password_expired(user, self._settings),
            ),
            user,
        )
        log.info("auth.signed_in", user_id=str(user.id), mfa_used=mfa_used)
        return SignIn(user, organization, tokens)

    async def complete_mfa_login(self, user: User) -> SignIn:
        """The second factor passed: open the session exactly as a password-only sign-in does."""
        return await self._complete_sign_in(user, mfa_used=True)

    async def mfa_code_rejected(self, user: User) -> None:
        """A wrong code at the MFA step counts like a wrong password and may lock (§5.3)."""
        self._count_failure(user, trigger="mfa")
        await self._mfa_failed(user, "mfa_code_invalid")

    async def mfa_challenge_rejected(self, user: User | None) -> None:
        """An unusable challenge token, or its member may not sign in: recorded, not counted."""
        await self._mfa_failed(user, "mfa_challenge_invalid")

    async def _mfa_failed(
        self, user: User | None, reason: Literal["mfa_code_invalid", "mfa_challenge_invalid"]
    ) -> None:
        await self._address_failed()
        identifier = user.username.strip().lower() if user else ""
        self._publish(
            LoginFailed(
                **self._common(user.id if user else None),
                identifier_sha256=hashlib.sha256(identifier.encode()).hexdigest(),
                reason=reason,
                failed_attempts=user.failed_login_attempts if user else 0,
            ),
            user,
        )

    def _count_failure(self, user: User, trigger: Literal["password", "mfa"] = "password") -> None:
        """Wrong passwords and wrong MFA codes share one counter; the limit locks the account."""
        user.failed_login_attempts += 1
        if user.failed_login_attempts >= self._settings.max_login_attempts:
            minutes = self._settings.account_lockout_duration_minutes
            user.locked_until = utc_now() + timedelta(minutes=minutes)
            self._publish(
                AccountLocked(
                    **self._common(user.id),
                    locked_until=user.locked_until,
                    failed_attempts=user.failed_login_attempts,
                    trigger=trigger,
                ),
                user,
            )
            log.warning("auth.account_locked", user_id=str(user.id), trigger=trigger)

    def _open_session(self, user: User) -> tuple[UUID, IssuedTokens]:
        session_id = uuid4()
        refresh = new_refresh_token(self._settings, session_id)
        self._sessions.add(
            AuthSession(
                id=session_id,
                user_id=user.id,
                organization_id=user.organization_id,
                refresh_hash=token_hash(refresh),
                ip_address=self._client.ip_address,
                user_agent=(self._client.user_agent or "")[:500] or None,
            )
        )
        tokens = IssuedTokens(self._access_token(user, session_id), refresh, new_csrf_token())
        return session_id, tokens

    def _access_token(self, user: User, session_id: UUID) -> str:
        return issue_access_token(
            self._settings,
            user_id=user.id,
            organization_id=user.organization_id,
            session_id=session_id,
            username=user.username,
        )

    async def refresh(self, token: str) -> IssuedTokens:
        """Rotate a session's tokens; a token already rotated out revokes the whole family."""
        session_id = refresh_session_id(self._settings, token)
        auth_session = await self._sessions.get_for_update(session_id) if session_id else None
        if auth_session is None:
            raise SessionInvalidError("unknown_refresh_token")
        now = utc_now()
        current = hmac.compare_digest(auth_session.refresh_hash, token_hash(token))
        if not current or auth_session.revoked_at is not None:
            await self._reuse_detected(auth_session)
            raise SessionInvalidError("refresh_reuse")
        if self.is_idle(auth_session):
            self.end_idle_session(auth_session)
            raise SessionInvalidError("idle_timeout")
        user = await self._members.get_with_positions(auth_session.user_id)
        organization = await self._members.organization(auth_session.organization_id)
        if user is None or not user.is_active or organization is None or not organization.active:
            raise SessionInvalidError("member_inactive")
        refresh = new_refresh_token(self._settings, auth_session.id)
        auth_session.refresh_hash = token_hash(refresh)
        auth_session.refreshed_at = auth_session.last_activity_at = now
        return IssuedTokens(self._access_token(user, auth_session.id), refresh, new_csrf_token())

    async def _reuse_detected(self, auth_session: AuthSession) -> None:
        user_id = auth_session.user_id
        revoked = await self._sessions.revoke_all(user_id, "refresh_reuse", utc_now())
        common = self._common(user_id)
        owner = await self._members.get_with_positions(user_id)
        self._publish(
            TokenReuseDetected(
                **common, session_id=str(auth_session.id), sessions_revoked=len(revoked)
            ),
            owner,
        )
        if revoked:
            self._publish(
                SessionsRevoked(
                    **common, session_ids=[str(i) for i in revoked], reason="refresh_reuse"
                ),
                owner,
            )
        log.warning(
            "auth.refresh_reuse_detected", user_id=str(user_id), sessions_revoked=len(revoked)
        )

    def end_idle_session(self, auth_session: AuthSession) -> None:
        """Revoke a session that was quiet too long."""
        auth_session.revoked_at, auth_session.revoke_reason = utc_now(), "idle_timeout"
        self._outbox.add(
            SessionEnded(
                **self._common(auth_session.user_id),
                session_id=str(auth_session.id),
                reason="idle_timeout",
            ),
            organization_id=auth_session.organization_id,
            actor_id=auth_session.user_id,
        )

    def is_idle(self, auth_session: AuthSession) -> bool:
        """Quiet for longer than the server-side idle timeout."""
        limit = timedelta(minutes=self._settings.hipaa_session_timeout_minutes)
        # Activity noted by any service counts, not only requests to auth.
        noted = self._liveness.last_activity(str(auth_session.id))
        last = max(auth_session.last_activity_at, noted or auth_session.last_activity_at)
        return utc_now() - last > limit

    def note_activity(self, auth_session: AuthSession) -> None:
        """Tell every service this session is in use (at most one write a minute)."""
        self._liveness.note_activity(str(auth_session.id))

    async def logout(self, user: User, auth_session: AuthSession) -> None:
        """End this session only."""
        auth_session.revoked_at, auth_session.revoke_reason = utc_now(), "logout"
        self._publish(
            SessionEnded(**self._common(user.id), session_id=str(auth_session.id), reason="logout"),
            user,
        )

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

    async def change_password(self, user: User, current: str, new: str) -> list[UUID]:
        """Replace the password after the checks of §2.8; every session of the member ends."""
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
        common = self._common(user.id)
        self._publish(PasswordChanged(**common, method="self", sessions_revoked=len(revoked)), user)
        self._publish(
            SessionsRevoked(
                **common, session_ids=[str(i) for i in revoked], reason="password_changed"
            ),
            user,
        )
        return revoked


def password_expired(user: User, settings: Settings) -> bool:
    """Older than the maximum age (a reminder for the frontend; the server does not enforce it)."""
    max_age = settings.hipaa_maximum_password_age_days
    return bool(
        max_age
        and user.password_changed_at is not None
        and utc_now() - user.password_changed_at > timedelta(days=max_age)
    )


def current_user(user: User, organization: Organization | None, settings: Settings) -> CurrentUser:
    """The `CurrentUser` body; the member's roles must be loaded."""
    held = sorted(user.positions, key=lambda up: -up.position.priority)
    names = [up.position.name for up in held]
    permissions = sorted(effective_permissions(user))
    full_name = user.full_name or None
    max_age = settings.hipaa_maximum_password_age_days
    expired = bool(
        max_age
        and user.password_changed_at is not None
        and utc_now() - user.password_changed_at > timedelta(days=max_age)
    )
    mfa_required = bool(
        organization and organization.settings.get("security", {}).get("mfa_required")
    )
    return CurrentUser(
        id=str(user.id),
        organization_id=str(user.organization_id),
        username=user.username,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        full_name=full_name,
        timezone=organization.timezone if organization else DEFAULT_TIMEZONE,
        roles=names,
        positions=names,
        rank=user.rank,
        platoon=user.platoon,
        membership_type=user.membership_type,
        permissions=permissions,
        is_active=user.is_active,
        email_verified=user.email_verified,
        mfa_enabled=user.mfa_enabled,
        mfa_enrollment_required=mfa_required and not user.mfa_enabled,
        password_expired=expired,
        must_change_password=user.must_change_password,
    )
