"""Request and response bodies of the auth routes (snake_case, as the frontend expects)."""

from typing import Annotated

import msgspec

Username = Annotated[str, msgspec.Meta(min_length=3, max_length=100)]
LoginPassword = Annotated[str, msgspec.Meta(min_length=8, max_length=128)]
CurrentPassword = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
NewPassword = Annotated[str, msgspec.Meta(min_length=12, max_length=128)]


class LoginRequest(msgspec.Struct):
    """Username or email, and password."""

    username: Username
    password: LoginPassword


class ChangePasswordRequest(msgspec.Struct):
    """The current password and the new one."""

    current_password: CurrentPassword
    new_password: NewPassword


class CurrentUser(msgspec.Struct):
    """The signed-in member as the app shell reads it (login body and `/auth/me`)."""

    id: str
    organization_id: str
    username: str
    email: str
    first_name: str | None
    last_name: str | None
    full_name: str | None
    timezone: str
    roles: list[str]
    positions: list[str]
    rank: str | None
    platoon: str | None
    membership_type: str | None
    permissions: list[str]
    is_active: bool
    email_verified: bool
    mfa_enabled: bool
    mfa_enrollment_required: bool
    password_expired: bool
    must_change_password: bool


class LoginResponse(msgspec.Struct):
    """A completed sign-in; the tokens travel in headers the gateway turns into cookies."""

    token_type: str
    expires_in: int
    user: CurrentUser


class TokenResponse(msgspec.Struct):
    """A completed refresh."""

    token_type: str
    expires_in: int


class Message(msgspec.Struct):
    """A plain confirmation."""

    message: str


class SessionSettings(msgspec.Struct):
    """The frontend's idle timer and password-age warning."""

    session_timeout_minutes: int
    password_max_age_days: int


class Branding(msgspec.Struct):
    """The login page's title and logo."""

    name: str | None
    logo: str | None


class OAuthConfig(msgspec.Struct, rename="camel"):
    """Single sign-on buttons; none until OAuth exists."""

    google_enabled: bool
    microsoft_enabled: bool


class OnboardingStatus(msgspec.Struct):
    """Whether the first-run setup is still needed."""

    needs_onboarding: bool
    is_completed: bool
    current_step: int
    total_steps: int
    steps_completed: dict[str, bool]
    organization_name: str | None
