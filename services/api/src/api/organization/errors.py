"""Failures of the organization routes."""

from shared.errors import AppError


class OrganizationNotFoundError(AppError):
    """The caller's organization no longer exists."""

    status_code = 404
    code = "LB-ORG-001"
    detail = "Organization not found"
