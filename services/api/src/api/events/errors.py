"""Failures of the events routes (spec events.md §1, §4): 404, 400 and 409."""

from litestar.exceptions import ValidationException

from shared.errors import AppError


class EventNotFoundError(AppError):
    """No such event in the caller's organization (foreign ids and, for members, drafts)."""

    status_code = 404
    code = "LB-API-404"
    detail = "Event not found"


class EventRuleError(AppError):
    """A rule of §4 refused the request; `detail` says which."""

    status_code = 400
    code = "LB-API-400"
    detail = "The request does not fit the event"


class EventCancelledError(EventRuleError):
    """Cancelled events cannot be edited, checked into, RSVP'd or ended (§8.9)."""

    detail = "Event is cancelled"


class LocationNotFoundError(EventRuleError):
    """The location is not one of the organization's (§4.2)."""

    detail = "Location not found"


class LocationBookedError(AppError):
    """Another event holds the location for an overlapping time (§8.10; 409 by issue 13)."""

    status_code = 409
    code = "LB-API-409"
    detail = "The location is already booked at that time"


class EventInUseError(AppError):
    """Rows of another module still point to the event (§4.2 DELETE [fix])."""

    status_code = 409
    code = "LB-API-409"
    detail = "Other records still refer to this event"


class OrganizationNotFoundError(AppError):
    """The caller's organization row is missing (§4.1 visible-event-types)."""

    status_code = 404
    code = "LB-API-404"
    detail = "Organization not found"


def invalid_field(field: str, message: str = "Invalid value") -> ValidationException:
    """The 422 of a rule between body fields that the types alone cannot express."""
    return ValidationException(extra=[{"key": field, "message": message}])


class RSVPNotFoundError(AppError):
    """The member has no RSVP to the event (§4.5 override and remove; 404 by §1 [fix])."""

    status_code = 404
    code = "LB-API-404"
    detail = "RSVP not found"


class MemberNotFoundError(EventRuleError):
    """The member named in the body is not an active member of the organization (§4.5)."""

    detail = "Member not found in this organization"


class RSVPClashError(AppError):
    """The database refused a new RSVP: the member was removed at that moment (the event's
    lock already keeps two answers of one member apart; the key is its backstop)."""

    status_code = 409
    code = "LB-API-409"
    detail = "The RSVP could not be saved; the member or the event changed at the same moment"
