"""The QR page's routes (spec events.md §3 #19, #20): any member, for themself only."""

from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.events.controllers._calendar import NOT_FOUND, RULE
from api.events.controllers._rsvp import CLASH
from api.events.deps import EVENTS_DEPENDENCIES
from api.events.permissions import member
from api.events.schemas import QRCheckInData, RSVPResponse, SelfCheckInRequest
from api.events.service import EventsService

ALREADY = "X-Already-Checked-In"


class CheckInController(Controller):
    """A member at the station tablet: the QR page's data and their own check-in."""

    path = "/"
    dependencies = EVENTS_DEPENDENCIES

    @get("/{event_id:str}/qr-check-in-data", guards=[member], responses={400: RULE, 404: NOT_FOUND})
    async def qr_check_in_data(
        self, event_id: FromPath[UUID], events: NamedDependency[EventsService]
    ) -> QRCheckInData:
        """The event, its check-in window and whether it is open now, the department's zone."""
        return await events.qr_check_in_data(event_id)

    @post(
        "/{event_id:str}/self-check-in",
        guards=[member],
        status_code=200,
        responses={400: RULE, 404: NOT_FOUND, 409: CLASH},
        response_headers=[
            ResponseHeader(
                name=ALREADY,
                documentation_only=True,
                value="true",  # its only value; also what gives the header its schema
                description="`true` when the caller had already checked in (the body is that "
                "RSVP, unchanged)",
            )
        ],
    )
    async def self_check_in(
        self,
        event_id: FromPath[UUID],
        events: NamedDependency[EventsService],
        data: JSONBody[SelfCheckInRequest | None] = None,
    ) -> Response[RSVPResponse]:
        """Check the caller in (or out with `is_checkout`) within the window; an early check-in
        carries a `notice` saying when the window opens."""
        checkout = data is not None and data.is_checkout
        result = await events.self_check_in(event_id, checkout=checkout)
        headers = {ALREADY: "true"} if result.already else {}
        return Response(result.rsvp, headers=headers)
