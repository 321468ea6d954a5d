"""Failures of the audit routes."""

from shared.errors import AppError


class AuditEntryNotFoundError(AppError):
    """No entry with this id in the caller's organization (another organization's looks missing)."""

    status_code = 404
    code = "LB-API-404"
    detail = "Audit log entry not found"
