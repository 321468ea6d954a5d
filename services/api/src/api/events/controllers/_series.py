"""Routes of `/api/v1/events` for recurring series (spec events.md §3 #9 to #11)."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.events.controllers._calendar import IN_USE, NOT_FOUND, RULE
from api.events.deps import EVENTS_DEPENDENCIES
from api.events.permissions import EVENTS_MANAGE
from api.events.schemas import CancelRequest, EventResponse, RecurringCreate, SeriesCancelled
from api.events.service import EventsService

FutureOnly = Annotated[bool, QueryParameter(description="Only occurrences starting from now")]


class SeriesController(Controller):
    """Recurring series: one parent (the first occurrence) and its children."""

    path = "/"
    dependencies = EVENTS_DEPENDENCIES

    @post("/recurring", status_code=201, guards=[EVENTS_MANAGE], responses={400: RULE})
    async def create_series(
        self, data: JSONBody[RecurringCreate], events: NamedDependency[EventsService]
    ) -> list[EventResponse]:
        """Every occurrence of a new series, by start; times kept on the department's clock."""
        return await events.create_series(data)

    @post(
        "/{event_id:str}/cancel-series",
        status_code=200,
        guards=[EVENTS_MANAGE],
        responses={404: NOT_FOUND},
    )
    async def cancel_series(
        self,
        event_id: FromPath[UUID],
        data: JSONBody[CancelRequest],
        events: NamedDependency[EventsService],
        cancel_future_only: FutureOnly = False,
    ) -> SeriesCancelled:
        """Cancel the series' occurrences (a child's id names its series); no notices."""
        return await events.cancel_series(event_id, data, future_only=cancel_future_only)

    @delete(
        "/{event_id:str}/series",
        status_code=204,
        guards=[EVENTS_MANAGE],
        responses={404: NOT_FOUND, 409: IN_USE},
    )
    async def delete_series(
        self,
        event_id: FromPath[UUID],
        events: NamedDependency[EventsService],
        delete_future_only: FutureOnly = False,
    ) -> None:
        """Delete the series' occurrences (a child's id names its series)."""
        await events.delete_series(event_id, future_only=delete_future_only)
