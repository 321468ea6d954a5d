"""The QR page: its data and the member's own check-in and check-out (spec events.md §4.6, §5).

The QR code is only a link to the page; the member is whoever the session says, never an id
from the request, and an event of another organization is unknown (404).
"""

from dataclasses import dataclass
from uuid import UUID

from api.events.errors import EventRuleError
from api.events.minutes import checkout_minutes
from api.events.schemas import QRCheckInData, RSVPResponse
from api.events.service._attending import AttendingBase, rsvp_response
from api.events.service._base import event_type_of, not_cancelled
from api.events.window import Verdict, check_in_window
from shared.db.types import utc_now
from shared.models import Event, RSVPStatus


@dataclass(frozen=True)
class SelfCheckIn:
    """The member's RSVP after a self check-in or check-out; `already` when they had checked
    in before (200 with `X-Already-Checked-In: true`, §8.5)."""

    rsvp: RSVPResponse
    already: bool = False


class SelfCheckInTopic(AttendingBase):
    """A member at the station tablet."""

    async def qr_check_in_data(self, event_id: UUID) -> QRCheckInData:
        """The event and its window as the QR page shows them; `is_valid` has no grace."""
        event = not_cancelled(await self._visible_event(event_id))
        window = check_in_window(event)
        zone = await self._zone()
        return QRCheckInData(
            event_id=event.id,
            event_name=event.title,
            event_type=event_type_of(event),
            event_description=event.description,
            start_datetime=event.start_datetime,
            end_datetime=event.end_datetime,
            actual_end_time=event.actual_end_time,
            check_in_start=window.opens,
            check_in_end=window.closes,
            is_valid=window.is_open(utc_now()),
            location=event.location,
            location_id=event.location_id,
            location_name=await self.references.location_name(event.location_id),
            require_checkout=event.require_checkout,
            timezone=zone.key,
            allow_guest_check_in=event.allow_guest_check_in,
        )

    async def self_check_in(self, event_id: UUID, *, checkout: bool) -> SelfCheckIn:
        """Check the caller in (a `going` RSVP made if none, capacity ignored) or out."""
        # A draft is unknown to members here too; a cancelled event is refused (§8.9).
        event = not_cancelled(self._shown(await self._locked_event(event_id)))
        if checkout:
            return await self._check_out(event)
        now = utc_now()
        decision = await self._window(event, now)
        user_id = self.principal.user_id
        row = await self.rsvps.lock(event.id, user_id)
        if row is not None and row.checked_in:
            # Even after checking out: a member checks in once (§8.5).
            return SelfCheckIn(await self._answer(row), already=True)
        if row is None:
            row = await self._new_rsvp(event, user_id, RSVPStatus.GOING, now, changed_by=None)
        await self._check_in(event, row, now, "self")
        await self._record("event_checkin", event_id=str(event.id), user_id=str(user_id))
        early = decision.verdict is Verdict.ALLOWED_EARLY
        person = await self.roster.person(user_id)
        return SelfCheckIn(rsvp_response(row, person, decision.message if early else None))

    async def _check_out(self, event: Event) -> SelfCheckIn:
        """Check the caller out within the same window, with their minutes (§4.6)."""
        now = utc_now()
        await self._window(event, now, "Check-out")
        user_id = self.principal.user_id
        row = await self.rsvps.lock(event.id, user_id)
        if row is None or not row.checked_in:
            raise EventRuleError("You are not checked in to this event")
        if row.checked_out_at is not None:
            raise EventRuleError("You have already checked out of this event")
        row.checked_out_at = now
        row.attendance_duration_minutes = checkout_minutes(row, now)
        await self.rsvps.write()
        await self._record("event_checkout", event_id=str(event.id), user_id=str(user_id))
        await self._checked_out(event, user_id, now, "self")
        return SelfCheckIn(await self._answer(row))
