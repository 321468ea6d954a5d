"""The sign-in and session rules of spec/auth.md, one module per topic; built per request, never
committing."""

from auth.sessions.service._current_user import ProfileService, current_user, password_expired
from auth.sessions.service._onboarding import OnboardingService
from auth.sessions.service._sessions import SessionService, end_idle_session
from auth.sessions.service._sign_in import MfaChallenge, SignIn, SignInService, open_session

__all__ = [
    "MfaChallenge",
    "OnboardingService",
    "ProfileService",
    "SessionService",
    "SignIn",
    "SignInService",
    "current_user",
    "end_idle_session",
    "open_session",
    "password_expired",
]
