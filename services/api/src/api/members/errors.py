"""Failures of the member routes, each with the status and text spec §3.1/§3.2 give it."""

from typing import Any

from litestar import Request, Response

from shared.errors import AppError, error_response


class MemberNotFoundError(AppError):
    """No such member in the caller's organization (a foreign id looks the same)."""

    status_code = 404
    code = "LB-API-404"
    detail = "Member not found"


class DuplicateMemberError(AppError):
    """Username, email or membership number already taken in the organization."""

    status_code = 409
    code = "LB-API-409"
    detail = "A member with these details already exists"


class ArchivedMemberEmailError(AppError):
    """The email belongs to an archived member, who should be reactivated instead (§4 #12)."""

    status_code = 409
    code = "LB-API-409"
    detail = "A former member with this email exists"

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__()
        self.body = body


def archived_email_response(
    _: Request[Any, Any, Any], exc: ArchivedMemberEmailError
) -> Response[dict[str, object]]:
    """The 409 whose `detail` is an object the add-member page reads."""
    return error_response(exc.status_code, exc.code, exc.body)


class InvalidRolesError(AppError):
    """Role ids that are unknown or belong to another organization."""

    status_code = 400
    code = "LB-API-400"
    detail = "Invalid role ids"


class StatusChangeError(AppError):
    """A status value or transition the lifecycle table of §2.5 does not allow."""

    status_code = 400
    code = "LB-API-400"
    detail = "Status change not allowed"


class NoChangeError(AppError):
    """The request asks for what the member already has."""

    status_code = 400
    code = "LB-API-400"
    detail = "Nothing to change"


class OwnAccountError(AppError):
    """Nobody deletes their own account (§4 #7)."""

    status_code = 400
    code = "LB-API-400"
    detail = "You cannot delete your own account"


class HardDeleteBlockedError(AppError):
    """Records that must keep this member as their owner still point to them (§4 #9)."""

    status_code = 409
    code = "LB-API-409"
    detail = (
        "This member owns records that must keep an owner and cannot be permanently deleted. "
        "Deactivate the member instead, then anonymize them."
    )


class UnknownMembershipTypeError(AppError):
    """A membership type that is not one of the configured tiers."""

    status_code = 400
    code = "LB-API-400"
    detail = "Unknown membership type"


class PhotoTooLargeError(AppError):
    """The uploaded photo is over the size limit."""

    status_code = 400
    code = "LB-UPLD-001"
    detail = "File too large: the photo must be 5 MB or smaller"


class PhotoTypeError(AppError):
    """The upload is not a JPEG, PNG or WebP image."""

    status_code = 400
    code = "LB-UPLD-002"
    detail = "File type not allowed: upload a JPEG, PNG or WebP image"


class PasswordRejectedError(AppError):
    """The administrator-chosen password breaks a password rule (auth's detail)."""

    status_code = 400
    code = "LB-API-400"
    detail = "Password does not meet the requirements"


class AuthUnavailableError(AppError):
    """The auth service did not answer the password call; the member was not created."""

    status_code = 503
    code = "LB-SYS-002"
    detail = "Service temporarily unavailable, please retry"

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": "5"})
