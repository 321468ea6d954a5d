"""RSVP routes (spec events.md §3 #12, #13)."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.events.controllers._calendar import NOT_FOUND, RULE
from api.events.deps import EVENTS_DEPENDENCIES
from api.events.permissions import EVENTS_MANAGE, member
from api.events.schemas import RSVPRequest, RSVPResponse
from api.events.service import EventsService
from shared.errors import documented_error
from shared.models import RSVPStatus
from shared.types import Skip, row_limit

CLASH = documented_error("The member was removed at the same moment; the RSVP was not saved")
Limit = Annotated[int, row_limit(500)]
StatusFilter = Annotated[RSVPStatus | None, QueryParameter(description="Only this answer")]


class RSVPController(Controller):
    """Members' answers to an event."""

    path = "/"
    dependencies = EVENTS_DEPENDENCIES

    @post(
        "/{event_id:str}/rsvp",
        status_code=200,
        guards=[member],
        responses={400: RULE, 404: NOT_FOUND, 409: CLASH},
    )
    async def rsvp(
        self,
        event_id: FromPath[UUID],
        data: JSONBody[RSVPRequest],
        events: NamedDependency[EventsService],
    ) -> RSVPResponse:
        """The caller's own answer, created or overwritten; a full event stores `going` as
        `waitlisted` (read `status`)."""
        return await events.rsvp(event_id, data)

    @get("/{event_id:str}/rsvps", guards=[EVENTS_MANAGE], responses={404: NOT_FOUND})
    async def list_rsvps(
        self,
        event_id: FromPath[UUID],
        events: NamedDependency[EventsService],
        status_filter: StatusFilter = None,
        skip: Skip = 0,
        limit: Limit = 100,
    ) -> list[RSVPResponse]:
        """The event's answers with names, e-mails and attendance, latest first answer first."""
        return await events.list_rsvps(event_id, status_filter, skip=skip, limit=limit)
