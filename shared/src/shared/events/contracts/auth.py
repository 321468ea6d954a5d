"""Events the auth service publishes (spec/auth.md §9). Never a password, token or code."""

from datetime import datetime
from typing import ClassVar, Literal

from shared.events.envelope import EventData


class AuthEvent(EventData, frozen=True, kw_only=True):
    """Fields every auth event carries."""

    user_id: str | None
    ip_address: str | None
    user_agent: str | None


class LoginSucceeded(AuthEvent, frozen=True, kw_only=True):
    """A member signed in."""

    subject: ClassVar[str] = "logbook.auth.login.succeeded"
    session_id: str
    method: Literal["password", "mfa"] = "password"
    mfa_used: bool = False
    must_change_password: bool = False
    password_expired: bool = False


class LoginFailed(AuthEvent, frozen=True, kw_only=True):
    """A sign-in was refused; the identifier only as a SHA-256 of its normalised form."""

    subject: ClassVar[str] = "logbook.auth.login.failed"
    identifier_sha256: str
    reason: Literal[
        "invalid_credentials", "locked", "inactive", "mfa_code_invalid", "mfa_challenge_invalid"
    ]
    failed_attempts: int


class AccountLocked(AuthEvent, frozen=True, kw_only=True):
    """Too many failures: the account is locked for a while."""

    subject: ClassVar[str] = "logbook.auth.account.locked"
    locked_until: datetime
    failed_attempts: int
    trigger: Literal["password", "mfa"] = "password"


class SessionEnded(AuthEvent, frozen=True, kw_only=True):
    """One session ended by the member or by idleness."""

    subject: ClassVar[str] = "logbook.auth.session.ended"
    session_id: str
    reason: Literal["logout", "idle_timeout"]


class SessionsRevoked(AuthEvent, frozen=True, kw_only=True):
    """Sessions ended by the server."""

    subject: ClassVar[str] = "logbook.auth.session.revoked"
    session_ids: list[str]
    reason: Literal[
        "password_changed",
        "password_reset",
        "admin_password_reset",
        "admin_mfa_reset",
        "refresh_reuse",
        "member_inactive",
    ]


class TokenReuseDetected(AuthEvent, frozen=True, kw_only=True):
    """A rotated refresh token came back: the whole family was revoked."""

    subject: ClassVar[str] = "logbook.auth.token.reuse_detected"
    session_id: str
    sessions_revoked: int


class PasswordChanged(AuthEvent, frozen=True, kw_only=True):
    """A member's password changed."""

    subject: ClassVar[str] = "logbook.auth.password.changed"
    method: Literal["self", "reset_token", "admin"]
    force_change: bool = False
    sessions_revoked: int = 0


class LoginMfaChallenged(AuthEvent, frozen=True, kw_only=True):
    """The first factor passed; the member was asked for a code (no session yet)."""

    subject: ClassVar[str] = "logbook.auth.login.mfa_challenged"
    method: str = "password"


class MfaEnabled(AuthEvent, frozen=True, kw_only=True):
    """A member turned two-factor authentication on."""

    subject: ClassVar[str] = "logbook.auth.mfa.enabled"
    by_admin: bool = False


class MfaDisabled(AuthEvent, frozen=True, kw_only=True):
    """Two-factor authentication was turned off, by the member or an administrator."""

    subject: ClassVar[str] = "logbook.auth.mfa.disabled"
    by_admin: bool = False


class MfaRecoveryCodesRegenerated(AuthEvent, frozen=True, kw_only=True):
    """A member replaced their recovery codes (the codes never travel)."""

    subject: ClassVar[str] = "logbook.auth.mfa.recovery_codes_regenerated"
    count: int


class MfaPolicyUpdated(AuthEvent, frozen=True, kw_only=True):
    """The organization's MFA requirement changed."""

    subject: ClassVar[str] = "logbook.auth.mfa.policy_updated"
    mfa_required: bool


class PasswordResetRequested(AuthEvent, frozen=True, kw_only=True):
    """Someone asked for a reset link; the address only as a SHA-256 of its normalised form."""

    subject: ClassVar[str] = "logbook.auth.password_reset.requested"
    email_sha256: str
    token_issued: bool


class PasswordResetFailed(AuthEvent, frozen=True, kw_only=True):
    """A reset link was refused, or the new password broke a rule."""

    subject: ClassVar[str] = "logbook.auth.password_reset.failed"
    reason: Literal["invalid", "expired", "policy", "history", "breached"]


class IpBlocked(AuthEvent, frozen=True, kw_only=True):
    """Too many failed sign-ins from one address: it is blocked for a while."""

    subject: ClassVar[str] = "logbook.auth.ip.blocked"
    failures: int
    window_seconds: int
    block_seconds: int
