"""Failures of the auth service, with the support codes of spec/auth.md §8."""

from shared.auth_errors import (
    BEARER,
    MfaEnrollmentRequiredError,
    NotAuthenticatedError,
    PasswordChangeRequiredError,
    PermissionDeniedError,
    SessionInvalidError,
)
from shared.errors import AppError

# Raised by every service alike; re-exported so the auth modules import errors from one place.
__all__ = [
    "MfaEnrollmentRequiredError",
    "NotAuthenticatedError",
    "PasswordChangeRequiredError",
    "PermissionDeniedError",
    "SessionInvalidError",
]


class InvalidCredentialsError(AppError):
    """Unknown member, wrong password or locked account: one indistinguishable answer."""

    status_code = 401
    code = "LB-AUTH-006"
    detail = "Incorrect username or password"

    def __init__(self, reason: str) -> None:
        super().__init__(headers=BEARER, reason=reason)


class AccountInactiveError(AppError):
    """The password was right but the member may not sign in."""

    status_code = 403
    code = "LB-AUTH-003"
    detail = "This account is not active. Please contact your department's administrator."


class PasswordRejectedError(AppError):
    """A password change that breaks a rule; the detail says which."""

    status_code = 400
    code = "LB-API-400"


class MfaCodeInvalidError(AppError):
    """A wrong TOTP or recovery code on a management route (401 on `/mfa/login`)."""

    status_code = 400
    code = "LB-AUTH-007"
    detail = "Invalid verification code"


class MfaLoginCodeInvalidError(AppError):
    """No code verified at the MFA step of sign-in; the failure counter must persist."""

    status_code = 401
    code = "LB-AUTH-007"
    detail = "Invalid verification code"

    def __init__(self) -> None:
        super().__init__(headers=BEARER)


class MfaChallengeInvalidError(AppError):
    """The MFA challenge token is invalid or expired, or its member cannot sign in."""

    status_code = 401
    code = "LB-AUTH-011"
    detail = "Your sign-in attempt expired; please sign in again"

    def __init__(self, reason: str) -> None:
        super().__init__(headers=BEARER, reason=reason)


class MfaStateError(AppError):
    """MFA is already on, or not on, or setup was not started; the detail says which."""

    status_code = 400
    code = "LB-API-400"


class OrganizationNotFoundError(AppError):
    """The caller's organization no longer exists."""

    status_code = 404
    code = "LB-API-404"
    detail = "Organization not found"


class ResetTokenInvalidError(AppError):
    """A reset link that is unknown, used, expired or malformed: one generic answer."""

    status_code = 400
    code = "LB-API-400"
    detail = "This password reset link is invalid or has already been used"


class ResetTokenExpiredError(AppError):
    """A reset link older than its validity; the member needs a new one."""

    status_code = 400
    code = "LB-API-400"
    detail = (
        "This password reset link has expired: links are valid for 30 minutes. "
        "Please request a new one."
    )


class MemberNotFoundError(AppError):
    """No such member in the caller's organization (a foreign id looks exactly the same)."""

    status_code = 404
    code = "LB-API-404"
    detail = "User not found"


class OwnCredentialsError(AppError):
    """An administrator action aimed at the caller's own account."""

    status_code = 400
    code = "LB-API-400"
    detail = "Use your own account settings to change your password or two-factor authentication"


class TargetOutranksCallerError(AppError):
    """The member holds permissions the caller does not."""

    status_code = 403
    code = "LB-PERM-001"
    detail = "You cannot manage the credentials of a member with permissions you do not hold"


class AddressBlockedError(AppError):
    """The client's address made too many failed sign-ins (spec/auth.md §5.4)."""

    status_code = 429
    code = "LB-API-429"
    detail = "Too many failed sign-ins from this address; try again later"

    def __init__(self, retry_after: int) -> None:
        super().__init__(headers={"Retry-After": str(retry_after)})
        self.details = {"retryAfter": retry_after}
