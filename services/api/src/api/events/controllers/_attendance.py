"""Managers' attendance routes (spec events.md §3 #14 to #18, #23 to #25)."""

from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.events.controllers._calendar import NOT_FOUND, RULE
from api.events.controllers._rsvp import CLASH
from api.events.deps import EVENTS_DEPENDENCIES
from api.events.permissions import EVENTS_MANAGE
from api.events.schemas import (
    AddAttendeeRequest,
    CheckInRequest,
    EligibleMember,
    EndEventResult,
    EventResponse,
    FinalizeResult,
    OverrideRequest,
    RecordTimesRequest,
    RSVPResponse,
)
from api.events.service import EventsService
from shared.errors import documented_error

NO_RSVP = documented_error("No such event, or the member has no RSVP to it")


class AttendanceController(Controller):
    """What an organizer does to an event's attendance."""

    path = "/"
    dependencies = EVENTS_DEPENDENCIES

    @get("/{event_id:str}/eligible-members", guards=[EVENTS_MANAGE], responses={404: NOT_FOUND})
    async def eligible_members(
        self, event_id: FromPath[UUID], events: NamedDependency[EventsService]
    ) -> list[EligibleMember]:
        """Active members who may be checked in, by last then first name."""
        return await events.eligible_members(event_id)

    @post(
        "/{event_id:str}/check-in",
        guards=[EVENTS_MANAGE],
        status_code=200,
        responses={400: RULE, 404: NOT_FOUND, 409: CLASH},
    )
    async def check_in(
        self,
        event_id: FromPath[UUID],
        data: JSONBody[CheckInRequest],
        events: NamedDependency[EventsService],
    ) -> RSVPResponse:
        """Check a member in within the check-in window."""
        return await events.check_in_member(event_id, data)

    @post(
        "/{event_id:str}/add-attendee",
        guards=[EVENTS_MANAGE],
        status_code=200,
        responses={400: RULE, 404: NOT_FOUND, 409: CLASH},
    )
    async def add_attendee(
        self,
        event_id: FromPath[UUID],
        data: JSONBody[AddAttendeeRequest],
        events: NamedDependency[EventsService],
    ) -> RSVPResponse:
        """Add or overwrite a member's answer, checked in if asked: no window, no capacity."""
        return await events.add_attendee(event_id, data)

    @patch(
        "/{event_id:str}/rsvps/{user_id:str}/override",
        guards=[EVENTS_MANAGE],
        responses={400: RULE, 404: NO_RSVP},
    )
    async def override_attendance(
        self,
        event_id: FromPath[UUID],
        user_id: FromPath[UUID],
        data: JSONBody[OverrideRequest],
        events: NamedDependency[EventsService],
    ) -> RSVPResponse:
        """Set the member's attendance times or minutes."""
        return await events.override_attendance(event_id, user_id, data)

    @delete(
        "/{event_id:str}/rsvps/{user_id:str}",
        guards=[EVENTS_MANAGE],
        status_code=204,
        responses={404: NO_RSVP},
    )
    async def remove_attendee(
        self,
        event_id: FromPath[UUID],
        user_id: FromPath[UUID],
        events: NamedDependency[EventsService],
    ) -> None:
        """Delete the member's RSVP and attendance; a freed seat goes to the waitlist."""
        await events.remove_attendee(event_id, user_id)

    @post(
        "/{event_id:str}/record-times",
        guards=[EVENTS_MANAGE],
        status_code=200,
        responses={400: RULE, 404: NOT_FOUND},
    )
    async def record_times(
        self,
        event_id: FromPath[UUID],
        data: JSONBody[RecordTimesRequest],
        events: NamedDependency[EventsService],
    ) -> EventResponse:
        """Record the actual start or end; an end finalizes attendance."""
        return await events.record_times(event_id, data)

    @post(
        "/{event_id:str}/finalize-attendance",
        guards=[EVENTS_MANAGE],
        status_code=200,
        responses={404: NOT_FOUND},
    )
    async def finalize_attendance(
        self, event_id: FromPath[UUID], events: NamedDependency[EventsService]
    ) -> FinalizeResult:
        """Give minutes to checked-in members who lack them; a repeat updates none."""
        return await events.finalize_attendance(event_id)

    @post(
        "/{event_id:str}/end-event",
        guards=[EVENTS_MANAGE],
        status_code=200,
        responses={400: RULE, 404: NOT_FOUND},
    )
    async def end_event(
        self, event_id: FromPath[UUID], events: NamedDependency[EventsService]
    ) -> EndEventResult:
        """End the event now: check everyone out with their minutes, then finalize."""
        return await events.end_event(event_id)
