"""Failures of the location and rank routes."""

from shared.errors import AppError


class LocationNotFoundError(AppError):
    """No such location in the caller's organization (foreign ids look the same)."""

    status_code = 404
    code = "LB-API-404"
    detail = "Location not found"


class DuplicateLocationNameError(AppError):
    """Names repeat across buildings, not within one (§4 #20)."""

    status_code = 409
    code = "LB-API-409"
    detail = "A location with this name already exists in this building"


class FacilityNotFoundError(AppError):
    """The facility is not one of the organization's."""

    status_code = 400
    code = "LB-API-400"
    detail = "Facility not found in this organization"


class RoomFacilityChangeError(AppError):
    """A location that mirrors a facility room stays with that facility."""

    status_code = 400
    code = "LB-API-400"
    detail = "A location backed by a facility room cannot move to another facility"


class DisplayCodeExhaustedError(AppError):
    """No free display code after several draws (practically impossible)."""

    status_code = 503
    code = "LB-SYS-002"
    detail = "Service temporarily unavailable, please retry"


class RankNotFoundError(AppError):
    """No such rank in the caller's organization (foreign ids look the same)."""

    status_code = 404
    code = "LB-API-404"
    detail = "Rank not found"


class DuplicateRankCodeError(AppError):
    """Rank codes are unique per organization, regardless of case.

    409 like every other duplicate here (the original answers 400); the page shows `detail`.
    """

    status_code = 409
    code = "LB-API-409"
    detail = "Rank code already exists"


class RankCodeInUseError(AppError):
    """Members hold ranks by code and nothing rewrites them, so a held code cannot change."""

    status_code = 409
    code = "LB-API-409"
    detail = "Rank code is in use; create a new rank and reassign its members"
