"""Sign-in with a password, the lockout counter, the address throttle (spec/auth.md §2.1, §5.3)."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Literal
from uuid import UUID, uuid4

import structlog

from auth.context import AuthEvents, AuthStore, ClientInfo, IssuedTokens, Refusals
from auth.errors import AccountInactiveError, AddressBlockedError, InvalidCredentialsError
from auth.passwords.hashing import hash_password, needs_rehash, verify_password
from auth.repository import MemberRepository, SessionRepository
from auth.sessions.service._current_user import password_expired
from auth.suspicious_ips import SuspiciousIps
from auth.tokens import (
    issue_access_token,
    issue_mfa_token,
    new_csrf_token,
    new_refresh_token,
    token_hash,
)
from shared.db.types import utc_now
from shared.events.contracts.auth import (
    AccountLocked,
    IpBlocked,
    LoginFailed,
    LoginMfaChallenged,
    LoginSucceeded,
)
from shared.models import AuthSession, Organization, User
from shared.settings import Settings

log = structlog.get_logger("auth.sign_in")
FailureReason = Literal[
    "invalid_credentials", "locked", "inactive", "mfa_code_invalid", "mfa_challenge_invalid"
]
Trigger = Literal["password", "mfa"]


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


def access_token(settings: Settings, user: User, session_id: UUID) -> str:
    """A signed access token of the member for one session."""
    return issue_access_token(
        settings,
        user_id=user.id,
        organization_id=user.organization_id,
        session_id=session_id,
        username=user.username,
    )


@dataclass(frozen=True)
class _Failure:
    """A refused sign-in, as its record needs it once the request's rows are gone."""

    identifier: str
    user_id: UUID | None
    reason: FailureReason
    counted: Trigger | None  # counted against the member's failure limit, and for what
    address_blocked: bool  # this failure blocked the client's address


class SignInService:
    """Password and MFA sign-ins; built per request, never commits (the request's session does).

    A refused sign-in is recorded (the failure counter, the lock, the events) through `Refusals`,
    once the request's transaction has rolled back.
    """

    def __init__(
        self,
        members: MemberRepository,
        sessions: SessionRepository,
        events: AuthEvents,
        refusals: Refusals,
        *,
        settings: Settings,
        suspicious: SuspiciousIps,
    ) -> None:
        self._members = members
        self._sessions = sessions
        self._events = events
        self._refusals = refusals
        self._settings = settings
        self._suspicious = suspicious

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
            await self._failed(identifier, user, "invalid_credentials", counted="password")
            raise InvalidCredentialsError("wrong_password")
        if not user.is_active:
            await self._failed(identifier, user, "inactive")
            raise AccountInactiveError(user_id=str(user.id))
        if user.password_hash is not None and needs_rehash(user.password_hash):
            user.password_hash = await hash_password(password)
        user.failed_login_attempts = 0  # a correct password clears it, even before MFA (§5.3)
        user.locked_until = None
        if user.mfa_enabled:
            self._events.publish_for(LoginMfaChallenged(**self._events.subject(user.id)), user)
            log.info("auth.mfa_challenged", user_id=str(user.id))
            return MfaChallenge(issue_mfa_token(self._settings, user.id))
        return await self._complete(user, mfa_used=False)

    async def refuse_blocked_address(self) -> None:
        """429 while the client's address is blocked by the suspicious-address throttle."""
        seconds = await self._suspicious.blocked_for(self._address)
        if seconds:
            raise AddressBlockedError(seconds)

    async def complete_mfa_login(self, user: User) -> SignIn:
        """The second factor passed: open the session exactly as a password-only sign-in does."""
        return await self._complete(user, mfa_used=True)

    async def mfa_code_rejected(self, user: User) -> None:
        """A wrong code at the MFA step counts like a wrong password and may lock (§5.3)."""
        await self._failed(user.username, user, "mfa_code_invalid", counted="mfa")

    async def mfa_challenge_rejected(self, user: User | None) -> None:
        """An unusable challenge token, or its member may not sign in: recorded, not counted."""
        await self._failed(user.username if user else "", user, "mfa_challenge_invalid")

    @property
    def _address(self) -> str:
        return self._events.client.ip_address or "unknown"

    async def _failed(
        self,
        identifier: str,
        user: User | None,
        reason: FailureReason,
        *,
        counted: Trigger | None = None,
    ) -> None:
        """Count the failure against the address now; keep its record for after the rollback."""
        blocked = await self._suspicious.record_failure(self._address)
        if blocked:
            log.warning("auth.address_blocked", ip=self._address)
        failure = _Failure(identifier, user.id if user else None, reason, counted, blocked)
        self._refusals.keep(partial(self._record, failure))

    async def _record(self, failure: _Failure, store: AuthStore) -> None:
        user = await store.members.get_for_update(failure.user_id) if failure.user_id else None
        if user is not None and failure.counted is not None:
            self._count_failure(store.events, user, failure.counted)
        if failure.address_blocked:
            settings = self._settings
            store.events.publish_for(
                IpBlocked(
                    **store.events.subject(None),
                    failures=settings.suspicious_ip_max_failures,
                    window_seconds=settings.suspicious_ip_window_seconds,
                    block_seconds=settings.suspicious_ip_block_seconds,
                ),
                None,
            )
        digest = hashlib.sha256(failure.identifier.strip().lower().encode()).hexdigest()
        store.events.publish_for(
            LoginFailed(
                **store.events.subject(failure.user_id),
                identifier_sha256=digest,
                reason=failure.reason,
                failed_attempts=user.failed_login_attempts if user else 0,
            ),
            user,
        )

    def _count_failure(self, events: AuthEvents, user: User, trigger: Trigger) -> None:
        """Wrong passwords and wrong MFA codes share one counter; the limit locks the account."""
        user.failed_login_attempts += 1
        if user.failed_login_attempts < self._settings.max_login_attempts:
            return
        minutes = self._settings.account_lockout_duration_minutes
        user.locked_until = utc_now() + timedelta(minutes=minutes)
        events.publish_for(
            AccountLocked(
                **events.subject(user.id),
                locked_until=user.locked_until,
                failed_attempts=user.failed_login_attempts,
                trigger=trigger,
            ),
            user,
        )
        log.warning("auth.account_locked", user_id=str(user.id), trigger=trigger)

    async def _complete(self, user: User, *, mfa_used: bool) -> SignIn:
        await self._suspicious.clear(self._address)
        user.failed_login_attempts, user.locked_until = 0, None
        user.last_login_at = utc_now()
        session_id, tokens = open_session(self._settings, self._sessions, self._events.client, user)
        organization = await self._members.organization(user.organization_id)
        self._events.publish_for(
            LoginSucceeded(
                **self._events.subject(user.id),
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


def open_session(
    settings: Settings, sessions: SessionRepository, client: ClientInfo, user: User
) -> tuple[UUID, IssuedTokens]:
    """A new session of the member on the client's device, and its three tokens."""
    session_id = uuid4()
    refresh = new_refresh_token(settings, session_id)
    sessions.add(
        AuthSession(
            id=session_id,
            user_id=user.id,
            organization_id=user.organization_id,
            refresh_hash=token_hash(refresh),
            ip_address=client.ip_address,
            user_agent=(client.user_agent or "")[:500] or None,
        )
    )
    return session_id, IssuedTokens(
        access_token(settings, user, session_id), refresh, new_csrf_token()
    )
