"""Controllers of `/api/v1/events` (spec events.md §3), by topic, under one router."""

from litestar import Router

from api.events.controllers._calendar import CalendarController
from api.events.controllers._series import SeriesController

# A topic's controller joins this list. The router lives here, not in the area's __init__, so
# the pure rule modules of the area import without the web stack.
EVENTS_ROUTER = Router(
    "/api/v1/events",
    tags=["events"],
    route_handlers=[CalendarController, SeriesController],
)

__all__ = ["EVENTS_ROUTER", "CalendarController", "SeriesController"]
