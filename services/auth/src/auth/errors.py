"""Failures of the auth service, with the support codes of spec/auth.md §8."""

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
    keeps_changes = True

    def __init__(self, reason: str = "invalid") -> None:
        super().__init__(headers=BEARER, reason=reason)


class InvalidCredentialsError(AppError):
    """Unknown member, wrong password or locked account: one indistinguishable answer."""

    status_code = 401
    code = "LB-AUTH-006"
    detail = "Incorrect username or password"
    keeps_changes = True

    def __init__(self, reason: str) -> None:
        super().__init__(headers=BEARER, reason=reason)


class AccountInactiveError(AppError):
    """The password was right but the member may not sign in."""

    status_code = 403
    code = "LB-AUTH-003"
    detail = "This account is not active. Please contact your department's administrator."
    keeps_changes = True


class PasswordChangeRequiredError(AppError):
    """The member must change the password before doing anything else."""

    status_code = 403
    code = "LB-AUTH-004"
    detail = "You must change your password before continuing"

    def __init__(self) -> None:
        super().__init__(headers={"X-Password-Change-Required": "true"})


class PasswordRejectedError(AppError):
    """A password change that breaks a rule; the detail says which."""

    status_code = 400
    code = "LB-API-400"


class NotSignedInSessionError(AppError):
    """Logout without a session to end."""

    status_code = 400
    code = "LB-API-400"
    detail = "No active session"
