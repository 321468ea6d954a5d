"""Managers' attendance: the eligible members, check-in, add-attendee, overrides and removal
(spec events.md §4.5 #14 to #18)."""

from uuid import UUID

from api.events.errors import EventRuleError, RSVPNotFoundError
from api.events.minutes import effective_minutes, override_duration, override_times_valid
from api.events.schemas import (
    AddAttendeeRequest,
    CheckInRequest,
    EligibleMember,
    OverrideRequest,
    RSVPResponse,
)
from api.events.service._attending import AttendingBase
from shared.db.types import utc_now
from shared.events.contracts.events import AttendanceOverridden, RSVPChanged
from shared.models import EventRSVP, RSVPStatus


class AttendanceTopic(AttendingBase):
    """What an organizer does to the attendance of one event."""

    async def eligible_members(self, event_id: UUID) -> list[EligibleMember]:
        """Active members, by last then first name (§4.5 #14)."""
        await self._event(event_id)
        return [
            EligibleMember(
                id=person.id,
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
            )
            for person in await self.roster.eligible()
        ]

    async def check_in_member(self, event_id: UUID, request: CheckInRequest) -> RSVPResponse:
        """Check a member in within the window (same grace as self check-in, no notice); a
        member without an RSVP gets a `going` one whatever the capacity (§4.5 #15, §8.3)."""
        now = utc_now()
        event = await self._open_event(event_id)
        await self._window(event, now)
        person = await self._member(request.user_id)
        row = await self.rsvps.lock(event.id, person.id)
        if row is not None and row.checked_in:
            raise EventRuleError("Member is already checked in")
        if row is None:
            row = await self._new_rsvp(
                event, person.id, RSVPStatus.GOING, now, changed_by=self.principal.user_id
            )
        await self._check_in(event, row, now, "manager")
        await self._record("event_checkin", event_id=str(event.id), user_id=str(person.id))
        return await self._answer(row)

    async def add_attendee(self, event_id: UUID, request: AddAttendeeRequest) -> RSVPResponse:
        """Add or overwrite a member's answer, with no window or capacity check: late or
        retroactive credit (§4.5 #16)."""
        now = utc_now()
        event = await self._open_event(event_id)
        person = await self._member(request.user_id)
        manager = self.principal.user_id
        row = await self.rsvps.lock(event.id, person.id)
        left_seat = False
        if row is None:
            row = await self._new_rsvp(
                event, person.id, request.status, now, changed_by=manager, notes=request.notes
            )
            action = "event_attendee_added"
        else:
            left_seat = self._set_status(row, request.status, now, changed_by=manager) is (
                RSVPStatus.GOING
            )
            row.notes = request.notes
            action = "event_attendee_overwritten"
        if request.checked_in and not row.checked_in:
            # [fix] Credit from the start, not from the moment of the call: a check-in stamped
            # after the event ends would finalize to 0 minutes.
            start = event.actual_start_time or event.start_datetime
            row.overridden_by, row.overridden_at = manager, now
            await self._check_in(event, row, start if now > start else now, "added")
        await self.rsvps.write()
        await self._record(
            action, event_id=str(event.id), user_id=str(person.id), status=row.status.value
        )
        if left_seat:
            await self._seat_freed(event, now)
        return await self._answer(row)

    async def override_attendance(
        self, event_id: UUID, user_id: UUID, request: OverrideRequest
    ) -> RSVPResponse:
        """Set a member's attendance times or minutes (§4.5 #17); finalize is not re-run."""
        now = utc_now()
        event = await self._locked_event(event_id)
        row = await self._locked_rsvp(event.id, user_id)
        check_in = request.override_check_in_at or row.override_check_in_at
        check_out = request.override_check_out_at or row.override_check_out_at
        if not override_times_valid(check_in, check_out):
            raise EventRuleError("override_check_out_at must be after override_check_in_at")
        row.override_check_in_at, row.override_check_out_at = check_in, check_out
        if request.override_duration_minutes is not None:
            row.override_duration_minutes = request.override_duration_minutes
        else:
            row.override_duration_minutes = override_duration(
                check_in, check_out, row.override_duration_minutes
            )
        row.overridden_by, row.overridden_at = self.principal.user_id, now
        if request.override_check_in_at is not None and not row.checked_in:
            await self._check_in(event, row, request.override_check_in_at, "manager")
        await self.rsvps.write()
        minutes = effective_minutes(row)
        await self._record(
            "event_attendance_override",
            event_id=str(event.id),
            user_id=str(user_id),
            minutes=minutes,
        )
        self._publish(AttendanceOverridden(event_id=event.id, user_id=user_id, minutes=minutes))
        return await self._answer(row)

    async def remove_attendee(self, event_id: UUID, user_id: UUID) -> None:
        """Delete the member's RSVP and attendance; a freed seat goes to the waitlist (§4.5)."""
        now = utc_now()
        event = await self._locked_event(event_id)
        row = await self._locked_rsvp(event.id, user_id)
        old = row.status
        await self.rsvps.remove(row)
        await self._record(
            "event_attendee_removed", event_id=str(event.id), user_id=str(user_id), status=old.value
        )
        self._publish(
            RSVPChanged(
                event_id=event.id,
                user_id=user_id,
                old_status=old.value,
                new_status=None,
                actor_id=self.principal.user_id,
            )
        )
        if old is RSVPStatus.GOING:
            await self._seat_freed(event, now)

    async def _locked_rsvp(self, event_id: UUID, user_id: UUID) -> EventRSVP:
        row = await self.rsvps.lock(event_id, user_id)
        if row is None:
            raise RSVPNotFoundError
        return row
