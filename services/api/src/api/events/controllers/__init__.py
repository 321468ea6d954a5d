"""Controllers of `/api/v1/events` (spec events.md §3), by topic, under one router."""

from litestar import Router

from api.events.controllers._attendance import AttendanceController
from api.events.controllers._calendar import CalendarController
from api.events.controllers._checkin import CheckInController
from api.events.controllers._reports import ReportController
from api.events.controllers._rsvp import RSVPController
from api.events.controllers._series import SeriesController

# A topic's controller joins this list. The router lives here, not in the area's __init__, so
# the pure rule modules of the area import without the web stack.
EVENTS_ROUTER = Router(
    "/api/v1/events",
    tags=["events"],
    route_handlers=[
        CalendarController,
        SeriesController,
        RSVPController,
        AttendanceController,
        CheckInController,
        ReportController,
    ],
)

__all__ = [
    "EVENTS_ROUTER",
    "AttendanceController",
    "CalendarController",
    "CheckInController",
    "RSVPController",
    "ReportController",
    "SeriesController",
]
