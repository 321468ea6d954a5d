"""Failures of the notification routes."""

from shared.errors import AppError


class NotificationNotFoundError(AppError):
    """No such notification for the caller (another member's or organization's looks the same)."""

    status_code = 404
    code = "LB-API-404"
    detail = "Notification not found"


class RuleNotFoundError(AppError):
    """No such rule in the caller's organization (the original's 400 is a [fix] 404)."""

    status_code = 404
    code = "LB-API-404"
    detail = "Notification rule not found"
