"""Locations of events: ownership, the location's lock, double-booking (spec events.md §8.10)."""

from datetime import datetime
from uuid import UUID

from api.events.errors import LocationBookedError, LocationNotFoundError
from api.events.repository import EventCounts
from api.events.schemas import EventResponse
from api.events.service._base import EventsServiceBase
from api.events.service._shapes import event_response
from shared.models import Event


class Booking(EventsServiceBase):
    """Checks of an event's location, and the answer naming it."""

    async def _lock_location(self, location_id: UUID) -> None:
        if await self.references.lock_location(location_id) is None:
            raise LocationNotFoundError

    async def _book(self, location_id: UUID, start: datetime, end: datetime) -> None:
        """Lock the location, then refuse a booking that overlaps another event there."""
        await self._lock_location(location_id)
        await self._refuse_clashes(location_id, start, end)

    async def _refuse_clashes(
        self, location_id: UUID, start: datetime, end: datetime, *, excluding: UUID | None = None
    ) -> None:
        titles = await self.events.location_clashes(location_id, start, end, excluding=excluding)
        if titles:
            named = ", ".join(f"'{title}'" for title in titles)
            raise LocationBookedError(f"The location is already booked at that time by: {named}")

    async def _response(self, event: Event, counts: EventCounts | None = None) -> EventResponse:
        location_name = await self.references.location_name(event.location_id)
        return event_response(event, location_name, counts)
