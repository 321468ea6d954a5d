"""Failures of the organization routes."""

from shared.errors import AppError


class OrganizationNotFoundError(AppError):
    """The caller's organization no longer exists."""

    status_code = 404
    code = "LB-ORG-001"
    detail = "Organization not found"


class ModuleNotServedError(AppError):
    """A module this backend does not serve cannot be switched on (it would do nothing)."""

    status_code = 400
    code = "LB-ORG-002"
    detail = "Module not available on this server"
