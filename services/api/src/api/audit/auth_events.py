"""What each auth event (spec/auth.md §9) says in the audit trail: type, category, severity.

Failures and locks are warnings, a reused refresh token is critical; administrators' actions
on another member's credentials keep the original's names (members spec §5).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.events.contracts import auth
from shared.events.envelope import Envelope

COMMON_FIELDS = ("user_id", "ip_address", "user_agent", "session_id")


@dataclass(frozen=True)
class Described:
    """An auth event as an audit entry: what happened, and how grave it is."""

    event_type: str
    category: str
    severity: str = "info"


FIXED: dict[str, Described] = {
    auth.LoginSucceeded.subject: Described("login_succeeded", "auth"),
    auth.LoginFailed.subject: Described("login_failed", "auth", "warning"),
    auth.LoginMfaChallenged.subject: Described("login_mfa_challenged", "auth"),
    auth.AccountLocked.subject: Described("account_locked", "security", "warning"),
    auth.IpBlocked.subject: Described("brute_force_detected", "security", "warning"),
    auth.TokenReuseDetected.subject: Described(
        "refresh_token_reuse_detected", "security", "critical"
    ),
    auth.MfaEnabled.subject: Described("mfa_enabled", "security"),
    auth.MfaRecoveryCodesRegenerated.subject: Described(
        "mfa_recovery_codes_regenerated", "security"
    ),
    auth.MfaPolicyUpdated.subject: Described("mfa_policy_updated", "security", "warning"),
    auth.PasswordResetRequested.subject: Described("password_reset_requested", "auth"),
    auth.PasswordResetFailed.subject: Described("password_reset_failed", "auth", "warning"),
}
PASSWORD_CHANGES = {
    "self": Described("password_changed", "auth"),
    "reset_token": Described("password_reset_completed", "auth"),
    "admin": Described("admin_password_reset", "security", "warning"),
}


def _session_ended(data: dict[str, Any]) -> Described:
    return Described("logout" if data.get("reason") == "logout" else "session_timeout", "auth")


def _sessions_revoked(data: dict[str, Any]) -> Described:
    grave = data.get("reason") == "refresh_reuse"
    return Described("sessions_revoked", "security", "warning" if grave else "info")


def _password_changed(data: dict[str, Any]) -> Described:
    return PASSWORD_CHANGES.get(str(data.get("method")), PASSWORD_CHANGES["self"])


def _mfa_disabled(data: dict[str, Any]) -> Described:
    by_admin = bool(data.get("by_admin"))
    return Described("admin_mfa_reset" if by_admin else "mfa_disabled", "security", "warning")


# Events whose entry depends on their data.
BY_DATA: dict[str, Callable[[dict[str, Any]], Described]] = {
    auth.SessionEnded.subject: _session_ended,
    auth.SessionsRevoked.subject: _sessions_revoked,
    auth.PasswordChanged.subject: _password_changed,
    auth.MfaDisabled.subject: _mfa_disabled,
}


def describe(envelope: Envelope) -> Described:
    """The entry an auth event becomes; an event this table does not know is kept as info."""
    if envelope.type in FIXED:
        return FIXED[envelope.type]
    if envelope.type in BY_DATA:
        return BY_DATA[envelope.type](envelope.data)
    # logbook.auth.<aggregate>.<verb> -> <aggregate>_<verb>
    return Described("_".join(envelope.type.split(".")[2:]) or envelope.type, "auth")


def details(envelope: Envelope) -> dict[str, Any]:
    """The event's own fields; who, where and which session go to the entry's columns."""
    return {k: v for k, v in envelope.data.items() if k not in COMMON_FIELDS}
