"""Closing an event's attendance: recorded times, finalize and end-event (spec events.md §4.5
#23 to #25, §6)."""

from uuid import UUID

from api.events.errors import EventCancelledError, EventRuleError
from api.events.minutes import (
    check_in_instant,
    checkout_minutes,
    effective_minutes,
    finalize_end,
    finalized_minutes,
)
from api.events.schemas import EndEventResult, EventResponse, FinalizeResult, RecordTimesRequest
from api.events.service._attending import AttendingBase
from api.events.service._base import event_type_of
from api.events.service._booking import Booking
from shared.db.types import utc_now
from shared.events.contracts.events import (
    AttendanceFinalized,
    EventEnded,
    FinalizedAttendee,
)
from shared.models import Event

FINALIZED = "attendance_finalized"  # the lifecycle marker in custom_fields (§2, §6)


class ClosingTopic(AttendingBase, Booking):
    """The end of an event's attendance, and the minutes credited for it."""

    async def record_times(self, event_id: UUID, request: RecordTimesRequest) -> EventResponse:
        """Record the actual start or end; an end finalizes attendance (§4.5 #23)."""
        event = await self._open_event(event_id)
        start = request.actual_start_time or event.actual_start_time
        end = request.actual_end_time or event.actual_end_time
        if start is not None and end is not None and end <= start:
            raise EventRuleError("actual_end_time must be after actual_start_time")
        event.actual_start_time, event.actual_end_time = start, end
        await self.events.flush()
        changed = [
            field
            for field in ("actual_start_time", "actual_end_time")
            if getattr(request, field) is not None
        ]
        await self._record("event_updated", event_id=str(event.id), changed_fields=changed)
        if request.actual_end_time is not None:
            await self._finalize(event)
        return await self._response(event)

    async def finalize_attendance(self, event_id: UUID) -> FinalizeResult:
        """Give minutes to the checked-in rows that lack them; a repeat updates none (§6)."""
        event = await self._locked_event(event_id)
        return FinalizeResult(updated_count=await self._finalize(event))

    async def end_event(self, event_id: UUID) -> EndEventResult:
        """End the event now: everyone still checked in is checked out with their minutes
        ([fix]: the original left them without), then attendance is finalized (§4.5 #25)."""
        now = utc_now()
        event = await self._locked_event(event_id)
        if event.is_cancelled:
            raise EventCancelledError("Cannot end a cancelled event")
        if event.actual_end_time is not None:
            raise EventRuleError("The event has already ended")
        event.actual_start_time = event.actual_start_time or event.start_datetime
        event.actual_end_time = now
        present = await self.rsvps.lock_present(event.id)
        for row in present:
            row.checked_out_at = now
            row.attendance_duration_minutes = checkout_minutes(row, now)
            await self._checked_out(event, row.user_id, now, "manager")
        await self.rsvps.write()
        await self._finalize(event)
        await self._record("event_ended", event_id=str(event.id), checked_out_count=len(present))
        self._publish(
            EventEnded(event_id=event.id, actual_end_time=now, checked_out_count=len(present))
        )
        return EndEventResult(checked_out_count=len(present), actual_end_time=now)

    async def _finalize(self, event: Event) -> int:
        """Minutes for the untouched checked-in rows up to the recorded (else scheduled) end,
        the marker, and the attendance for training and admin hours; how many rows it wrote.

        The event is published on every run with every attendee's effective minutes, so an
        override made after a first finalize reaches its consumers on the next one; they key
        their writes on (event, member) and are idempotent.
        """
        end = finalize_end(event.actual_end_time, event.end_datetime)
        rows = await self.rsvps.lock_attended(event.id)
        updated = 0
        for row in rows:
            minutes = finalized_minutes(row, end)
            if minutes is not None:
                row.attendance_duration_minutes = minutes
                updated += 1
        # A new dict: the JSON column notices a replaced value, not one changed in place.
        event.custom_fields = {**(event.custom_fields or {}), FINALIZED: True}
        await self.rsvps.write()
        self._publish(
            AttendanceFinalized(
                event_id=event.id,
                event_type=event_type_of(event).value,
                custom_category=event.custom_category,
                start_datetime=event.start_datetime,
                local_date=await self._local_date(event),
                attendees=[
                    FinalizedAttendee(
                        user_id=row.user_id,
                        rsvp_id=row.id,
                        check_in=check_in_instant(row),
                        check_out=row.override_check_out_at or row.checked_out_at,
                        minutes=effective_minutes(row),
                    )
                    for row in rows
                ],
            )
        )
        return updated
