"""Bodies and shapes of the events routes, by topic in the modules beside this one."""

from api.events.schemas._attendance import (
    AddAttendeeRequest,
    CheckInRequest,
    EndEventResult,
    FinalizeResult,
    OverrideRequest,
    RecordTimesRequest,
)
from api.events.schemas._calendar import (
    CancelRequest,
    CustomCategory,
    EventCreate,
    EventFilters,
    EventListItem,
    EventResponse,
    EventUpdate,
    MembershipTypeOption,
    VisibleEventTypes,
)
from api.events.schemas._checkin import QRCheckInData, SelfCheckInRequest
from api.events.schemas._reports import CheckInMonitoringStats, EventStats, RecentCheckIn
from api.events.schemas._rsvp import EligibleMember, RSVPRequest, RSVPResponse
from api.events.schemas._series import RecurringCreate, SeriesCancelled

__all__ = [
    "AddAttendeeRequest",
    "CancelRequest",
    "CheckInMonitoringStats",
    "CheckInRequest",
    "CustomCategory",
    "EligibleMember",
    "EndEventResult",
    "EventCreate",
    "EventFilters",
    "EventListItem",
    "EventResponse",
    "EventStats",
    "EventUpdate",
    "FinalizeResult",
    "MembershipTypeOption",
    "OverrideRequest",
    "QRCheckInData",
    "RSVPRequest",
    "RSVPResponse",
    "RecentCheckIn",
    "RecordTimesRequest",
    "RecurringCreate",
    "SelfCheckInRequest",
    "SeriesCancelled",
    "VisibleEventTypes",
]
