"""Routes of `/api/v1/events` for one-off events (spec events.md §3 #1 to #8)."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody, QueryParameter

from api.events.deps import EVENTS_DEPENDENCIES
from api.events.permissions import EVENTS_MANAGE, member
from api.events.schemas import (
    CancelRequest,
    EventCreate,
    EventFilters,
    EventListItem,
    EventResponse,
    EventUpdate,
    VisibleEventTypes,
)
from api.events.service import EventsService
from shared.errors import documented_error
from shared.models import EventType
from shared.types import IsoDateTimeParameter, Skip, iso_datetime, row_limit

NOT_FOUND = documented_error("No such event in the organization (a draft, for a member)")
RULE = documented_error("A rule of the event refused the request; `detail` says which")
BOOKED = documented_error("Another event holds the location then; `detail` names up to three")
IN_USE = documented_error("Other records still refer to the event")
Limit = Annotated[int, row_limit(500)]
Flag = Annotated[bool, QueryParameter()]


def _types(value: str | None) -> frozenset[EventType]:
    """A comma list of event types, any case; an unknown one is a 422."""
    try:
        return frozenset(
            EventType(part.strip()) for part in (value or "").split(",") if part.strip()
        )
    except ValueError as exc:
        raise ValidationException(
            extra=[{"key": "exclude_event_types", "message": "Invalid value"}]
        ) from exc


def _instant(value: str | None, parameter: str) -> datetime | None:
    """A bound of the list in UTC; one without an offset is UTC (§1)."""
    parsed = iso_datetime(value, parameter)
    if parsed is None or parsed.tzinfo is not None:
        return parsed
    return parsed.replace(tzinfo=UTC)


class CalendarController(Controller):
    """The calendar: events, their detail, and their lifecycle."""

    path = "/"
    dependencies = EVENTS_DEPENDENCIES

    @get("/", guards=[member])
    async def list_events(
        self,
        *,
        events: NamedDependency[EventsService],
        event_type: Annotated[EventType | None, QueryParameter()] = None,
        custom_category: Annotated[str | None, QueryParameter(max_length=100)] = None,
        exclude_event_types: Annotated[
            str | None, QueryParameter(max_length=500, description="Comma-separated types")
        ] = None,
        start_after: IsoDateTimeParameter = None,
        start_before: IsoDateTimeParameter = None,
        end_after: IsoDateTimeParameter = None,
        end_before: IsoDateTimeParameter = None,
        include_cancelled: Flag = False,
        include_drafts: Annotated[bool, QueryParameter(description="events.manage only")] = False,
        skip: Skip = 0,
        limit: Limit = 100,
    ) -> list[EventListItem]:
        """Events by start time (bounds inclusive), with RSVP counts and the caller's status."""
        filters = EventFilters(
            event_type=event_type,
            custom_category=custom_category,
            exclude_event_types=_types(exclude_event_types),
            start_after=_instant(start_after, "start_after"),
            start_before=_instant(start_before, "start_before"),
            end_after=_instant(end_after, "end_after"),
            end_before=_instant(end_before, "end_before"),
            include_cancelled=include_cancelled,
            include_drafts=include_drafts,
        )
        return await events.list_events(filters, skip=skip, limit=limit)

    @post(
        "/",
        status_code=201,
        guards=[EVENTS_MANAGE],
        responses={400: RULE, 409: BOOKED},
    )
    async def create_event(
        self, data: JSONBody[EventCreate], events: NamedDependency[EventsService]
    ) -> EventResponse:
        """Schedule an event (`is_draft` keeps it unpublished); its location must be free."""
        return await events.create_event(data)

    @get("/visible-event-types", guards=[member], responses={404: NOT_FOUND})
    async def visible_event_types(
        self, events: NamedDependency[EventsService]
    ) -> VisibleEventTypes:
        """The event-type tabs, custom categories and membership tiers of the organization."""
        return await events.visible_event_types()

    @get("/{event_id:str}", guards=[member], responses={404: NOT_FOUND})
    async def get_event(
        self, event_id: FromPath[UUID], events: NamedDependency[EventsService]
    ) -> EventResponse:
        """One event with its RSVP counts and the caller's status."""
        return await events.get_event(event_id)

    @patch(
        "/{event_id:str}",
        guards=[EVENTS_MANAGE],
        responses={400: RULE, 404: NOT_FOUND, 409: BOOKED},
    )
    async def update_event(
        self,
        event_id: FromPath[UUID],
        data: JSONBody[EventUpdate],
        events: NamedDependency[EventsService],
    ) -> EventResponse:
        """Change the fields sent; a significant change tells the `going`/`maybe` members."""
        return await events.update_event(event_id, data)

    @delete(
        "/{event_id:str}",
        status_code=204,
        guards=[EVENTS_MANAGE],
        responses={404: NOT_FOUND, 409: IN_USE},
    )
    async def delete_event(
        self, event_id: FromPath[UUID], events: NamedDependency[EventsService]
    ) -> None:
        """Delete the event with its RSVPs and attendance."""
        await events.delete_event(event_id)

    @post(
        "/{event_id:str}/publish",
        status_code=200,
        guards=[EVENTS_MANAGE],
        responses={400: RULE, 404: NOT_FOUND},
    )
    async def publish_event(
        self, event_id: FromPath[UUID], events: NamedDependency[EventsService]
    ) -> EventResponse:
        """Publish a draft."""
        return await events.publish_event(event_id)

    @post(
        "/{event_id:str}/cancel",
        status_code=200,
        guards=[EVENTS_MANAGE],
        responses={400: RULE, 404: NOT_FOUND},
    )
    async def cancel_event(
        self,
        event_id: FromPath[UUID],
        data: JSONBody[CancelRequest],
        events: NamedDependency[EventsService],
    ) -> EventResponse:
        """Cancel the event for good (a reason of 10 to 500 characters)."""
        return await events.cancel_event(event_id, data)
