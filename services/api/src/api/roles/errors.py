"""Failures of the role routes."""

from shared.errors import AppError


class RoleNotFoundError(AppError):
    """No such role in the caller's organization (foreign ids look the same)."""

    status_code = 404
    code = "LB-API-404"
    detail = "Role not found"


class InvalidPermissionsError(AppError):
    """The list names permissions outside the catalogue (§2.8, §4 #17)."""

    status_code = 400
    code = "LB-API-400"


class SystemRoleDeleteError(AppError):
    """System roles are seeded for every organization and stay (§4 #16)."""

    status_code = 403
    code = "LB-API-403"
    detail = "System roles cannot be deleted"


class SlugExhaustedError(AppError):
    """Every slug tried for the name was taken while we tried (a burst of same-name creates)."""

    status_code = 409
    code = "LB-API-409"
    detail = "A role with this name was created at the same time; please retry"
