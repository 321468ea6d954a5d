"""The caller's RSVP and the event's RSVP list (spec events.md §4.4, §8.1 to §8.4)."""

from datetime import datetime
from uuid import UUID

from api.events.errors import EventCancelledError, EventRuleError
from api.events.schemas import RSVPRequest, RSVPResponse
from api.events.service._attending import AttendingBase, rsvp_response
from api.events.service._rules import DEFAULT_ANSWERS
from shared.db.types import utc_now
from shared.models import Event, RSVPStatus


def _refuse_answer(event: Event, status: RSVPStatus, now: datetime) -> None:
    """The 400s of §4.4 and §8.1, in the spec's order."""
    if event.is_cancelled:
        raise EventCancelledError
    if event.is_draft:
        raise EventRuleError("Cannot RSVP to a draft event")
    if not event.requires_rsvp:
        raise EventRuleError("This event does not require an RSVP")
    if now > event.end_datetime:
        raise EventRuleError("Cannot RSVP to an event that has ended")
    if event.rsvp_deadline is not None and now > event.rsvp_deadline:
        raise EventRuleError("The RSVP deadline has passed")
    # `waitlisted` is the server's alone: never in an allowed list (§2).
    allowed = event.allowed_rsvp_statuses or DEFAULT_ANSWERS
    if status is RSVPStatus.WAITLISTED or status.value not in allowed:
        raise EventRuleError(f"RSVP status '{status.value}' is not allowed for this event")


class RSVPTopic(AttendingBase):
    """Members' answers: the upsert with its waitlist, and the managers' list."""

    async def rsvp(self, event_id: UUID, request: RSVPRequest) -> RSVPResponse:
        """Create or overwrite the caller's answer. A full event stores `going` as
        `waitlisted` (still 200); leaving `going` gives the seat to the waitlist's head."""
        event = await self._locked_event(event_id)
        # Read the clock under the event's lock: a first answer's time is its queue position,
        # so answers taken one after the other must be stamped in that order (§8.2).
        now = utc_now()
        _refuse_answer(event, request.status, now)
        user_id = self.principal.user_id
        row = await self.rsvps.lock(event.id, user_id)
        status = request.status
        if (
            status is RSVPStatus.GOING
            and (row is None or row.status is not RSVPStatus.GOING)
            and event.max_attendees is not None
            and await self.rsvps.going_count(event.id) >= event.max_attendees
        ):
            status = RSVPStatus.WAITLISTED
        left_seat = False
        if row is None:
            row = await self._new_rsvp(event, user_id, status, now, changed_by=None)
        else:
            old = self._set_status(row, status, now, changed_by=None)
            left_seat = old is RSVPStatus.GOING
        row.guest_count = request.guest_count if event.allow_guests else 0
        row.notes = request.notes
        row.dietary_restrictions = request.dietary_restrictions
        row.accessibility_needs = request.accessibility_needs
        await self.rsvps.write()
        if left_seat:
            await self._seat_freed(event, now)
        return await self._answer(row)

    async def list_rsvps(
        self, event_id: UUID, status: RSVPStatus | None, *, skip: int, limit: int
    ) -> list[RSVPResponse]:
        """The event's answers and attendance, latest first answer first (§4.4 #13)."""
        await self._event(event_id)
        rows = await self.rsvps.page(event_id, status, skip=skip, limit=limit)
        return [rsvp_response(row, person) for row, person in rows]
