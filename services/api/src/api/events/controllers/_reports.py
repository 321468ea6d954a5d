"""Report routes (spec events.md §3 #21, #22)."""

from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from api.events.controllers._calendar import NOT_FOUND
from api.events.deps import EVENTS_DEPENDENCIES
from api.events.permissions import EVENTS_MANAGE
from api.events.schemas import CheckInMonitoringStats, EventStats
from api.events.service import EventsService


class ReportController(Controller):
    """An event's figures for the organizer."""

    path = "/"
    dependencies = EVENTS_DEPENDENCIES

    @get("/{event_id:str}/stats", guards=[EVENTS_MANAGE], responses={404: NOT_FOUND})
    async def event_stats(
        self, event_id: FromPath[UUID], events: NamedDependency[EventsService]
    ) -> EventStats:
        """Answers by status, check-ins and guests, and how full the event is."""
        return await events.event_stats(event_id)

    @get("/{event_id:str}/check-in-monitoring", guards=[EVENTS_MANAGE], responses={404: NOT_FOUND})
    async def check_in_monitoring(
        self, event_id: FromPath[UUID], events: NamedDependency[EventsService]
    ) -> CheckInMonitoringStats:
        """The live check-in monitor: the window, the rate, the latest check-ins."""
        return await events.check_in_monitoring(event_id)
