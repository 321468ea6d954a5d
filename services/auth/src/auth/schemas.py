"""Request and response bodies of the auth routes (snake_case, as the frontend expects)."""

from typing import Annotated

import msgspec

from shared.types import Email

Username = Annotated[str, msgspec.Meta(min_length=3, max_length=100)]
LoginPassword = Annotated[str, msgspec.Meta(min_length=8, max_length=128)]
CurrentPassword = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
NewPassword = Annotated[str, msgspec.Meta(min_length=12, max_length=128)]
TotpCode = Annotated[str, msgspec.Meta(min_length=6, max_length=6)]
RecoveryCodeText = Annotated[str, msgspec.Meta(max_length=32)]
ChallengeToken = Annotated[str, msgspec.Meta(max_length=4096)]


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


class MfaChallengeResponse(msgspec.Struct):
    """The password was right and MFA is on: the code comes next, no session yet."""

    mfa_required: bool
    mfa_token: str


class MfaLoginRequest(msgspec.Struct):
    """The challenge token from `/login` and a TOTP code or a recovery code."""

    temp_token: ChallengeToken
    code: TotpCode | None = None
    recovery_code: RecoveryCodeText | None = None


class MfaCodeRequest(msgspec.Struct):
    """A current TOTP code, confirming an MFA change."""

    code: TotpCode


class MfaSetupRead(msgspec.Struct):
    """A new pending secret and its `otpauth://` URI for the authenticator app's QR code."""

    secret: str
    qr_code_url: str


class RecoveryCodesRead(msgspec.Struct):
    """Recovery codes, shown this once."""

    recovery_codes: list[str]


class MfaStatusRead(msgspec.Struct):
    """Whether MFA is on and how many recovery codes are left."""

    mfa_enabled: bool
    recovery_codes_remaining: int


class MfaDisabledRead(msgspec.Struct):
    """MFA after a disable."""

    mfa_enabled: bool


class MfaPolicyRead(msgspec.Struct):
    """Whether the organization requires MFA."""

    mfa_required: bool


class MfaPolicyUpdate(msgspec.Struct):
    """Require MFA of every member, or not."""

    mfa_required: bool


# Any length: a reset token longer than 256 characters is a 400 "invalid", not a 422.
ResetToken = Annotated[str, msgspec.Meta(min_length=1)]


class ForgotPasswordRequest(msgspec.Struct):
    """The address a reset link is sent to, if a member has it."""

    email: Email


class ResetTokenRequest(msgspec.Struct):
    """A reset link's token, checked before the reset page shows its form."""

    token: ResetToken


class ResetTokenValid(msgspec.Struct):
    """The token can be used (never says whose it is)."""

    valid: bool


class ResetPasswordRequest(msgspec.Struct):
    """A reset link's token and the new password."""

    token: ResetToken
    new_password: NewPassword


class AdminResetPasswordRequest(msgspec.Struct):
    """An administrator's new password for a member; by default it must be changed at sign-in."""

    new_password: NewPassword
    force_change: bool = True
