"""The auth rules of spec/auth.md, one module per topic; built per request, never committing."""

from auth.service._context import (
    AuthEvents,
    AuthStore,
    ClientInfo,
    EventSubject,
    InstanceMemory,
    IssuedTokens,
    Refusals,
)
from auth.service._current_user import ProfileService, current_user, password_expired
from auth.service._password_change import PasswordChangeService
from auth.service._sessions import SessionService, end_idle_session
from auth.service._sign_in import MfaChallenge, SignIn, SignInService

__all__ = [
    "AuthEvents",
    "AuthStore",
    "ClientInfo",
    "EventSubject",
    "InstanceMemory",
    "IssuedTokens",
    "MfaChallenge",
    "PasswordChangeService",
    "ProfileService",
    "Refusals",
    "SessionService",
    "SignIn",
    "SignInService",
    "current_user",
    "end_idle_session",
    "password_expired",
]
