"""Authentication failures every service answers alike (spec/auth.md §4, §8)."""

from shared.errors import AppError

BEARER = {"WWW-Authenticate": "Bearer"}


class NotAuthenticatedError(AppError):
    """No credentials at all."""

    status_code = 401
    code = "LB-AUTH-001"
    detail = "Not authenticated"

    def __init__(self) -> None:
        super().__init__(headers=BEARER)


class SessionInvalidError(AppError):
    """A token or session that is expired, revoked or invalid."""

    status_code = 401
    code = "LB-AUTH-002"
    detail = "Session expired or invalid; please sign in again"

    def __init__(self, reason: str = "invalid") -> None:
        super().__init__(headers=BEARER, reason=reason)


class PasswordChangeRequiredError(AppError):
    """The member must change the password before doing anything else."""

    status_code = 403
    code = "LB-AUTH-004"
    detail = "You must change your password before continuing"

    def __init__(self) -> None:
        super().__init__(headers={"X-Password-Change-Required": "true"})


class MfaEnrollmentRequiredError(AppError):
    """The organization requires MFA and the member has not enrolled yet."""

    status_code = 403
    code = "LB-AUTH-005"
    detail = "Your organization requires two-factor authentication; please set it up"

    def __init__(self) -> None:
        super().__init__(headers={"X-MFA-Enrollment-Required": "true"})


class PermissionDeniedError(AppError):
    """The caller lacks every permission the route accepts."""

    status_code = 403
    code = "LB-PERM-001"
    detail = "Insufficient permissions"
