"""What the RSVP, check-in and attendance topics share (spec events.md §4.4 to §4.6): the
RSVP's shape, a new or changed answer with its history, the waitlist promotion, a check-in and
the events it publishes, the member and window checks.

Lock order (with `EventsServiceBase`'s): the event row first, then RSVP rows (the caller's or
the named member's, then the head of the waitlist). Every write of an event's RSVPs holds the
event's lock, so seat counts and the waitlist change one request at a time.
"""

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from api.events.errors import EventRuleError, MemberNotFoundError, RSVPClashError
from api.events.repository import Person
from api.events.schemas import RSVPResponse
from api.events.service._base import EventsServiceBase, event_type_of
from api.events.window import Decision, decide
from shared.db.integrity import ClashError
from shared.events.contracts.events import (
    CheckedIn,
    CheckedOut,
    CheckInMethod,
    RSVPChanged,
    WaitlistPromoted,
)
from shared.models import Event, EventRSVP, RSVPStatus

# Which way a member passes the window (§5 gates check-out too); its messages name it.
Action = Literal["Check-in", "Check-out"]
_SHOWN = tuple(
    field.name
    for field in msgspec.structs.fields(RSVPResponse)
    if field.name not in {"user_name", "user_email", "notice"}
)


def rsvp_response(row: EventRSVP, person: Person | None, notice: str | None = None) -> RSVPResponse:
    """The row as the API answers it, with the member's "First Last" and e-mail."""
    fields = {name: getattr(row, name) for name in _SHOWN}
    fields.update(
        user_name=person.name if person else None,
        user_email=person.email if person else None,
        notice=notice,
    )
    return msgspec.convert(fields, RSVPResponse)


class AttendingBase(EventsServiceBase):
    """Answers and attendance of one event, always under the event's lock."""

    async def _member(self, user_id: UUID) -> Person:
        """An active member of the organization named in a body; 400 otherwise (§4.5)."""
        person = await self.roster.active(user_id)
        if person is None:
            raise MemberNotFoundError
        return person

    async def _answer(self, row: EventRSVP) -> RSVPResponse:
        return rsvp_response(row, await self.roster.person(row.user_id))

    async def _window(self, event: Event, now: datetime, action: Action = "Check-in") -> Decision:
        """The check-in window's verdict at `now`; 400 with its text when it refuses (§5)."""
        decision = decide(event, now, await self._zone(), action=action)
        if not decision.allowed:
            raise EventRuleError(decision.message)
        return decision

    async def _new_rsvp(
        self,
        event: Event,
        user_id: UUID,
        status: RSVPStatus,
        now: datetime,
        *,
        changed_by: UUID | None,
        notes: str | None = None,
    ) -> EventRSVP:
        """A first answer: its queue position is now, for good (§2 `responded_at`)."""
        row = EventRSVP(
            organization_id=event.organization_id,
            event_id=event.id,
            user_id=user_id,
            status=status,
            guest_count=0,
            notes=notes,
            responded_at=now,
            checked_in=False,
        )
        try:
            await self.rsvps.add(row)
        except ClashError:
            raise RSVPClashError from None
        self._status_changed(row, None, changed_by, now)
        return row

    def _set_status(
        self, row: EventRSVP, status: RSVPStatus, now: datetime, *, changed_by: UUID | None
    ) -> RSVPStatus | None:
        """Change the answer with a history row and an event; the old status when it changed."""
        old = row.status
        if old is status:
            return None
        row.status = status
        self._status_changed(row, old, changed_by, now)
        return old

    def _status_changed(
        self, row: EventRSVP, old: RSVPStatus | None, changed_by: UUID | None, now: datetime
    ) -> None:
        self.rsvps.log_change(row, old, row.status, changed_by=changed_by, at=now)
        self._publish(
            RSVPChanged(
                event_id=row.event_id,
                user_id=row.user_id,
                old_status=old.value if old else None,
                new_status=row.status.value,
                actor_id=self.principal.user_id,
            )
        )

    async def _seat_freed(self, event: Event, now: datetime) -> None:
        """A `going` answer left: the oldest waitlisted answer takes the seat, once (§8.2).

        Runs under the event's lock, after the leaving row was written, so the count sees the
        free seat and no other request can promote the same head.
        """
        if event.max_attendees is None:
            return
        await self.rsvps.write()
        if await self.rsvps.going_count(event.id) >= event.max_attendees:
            return
        head = await self.rsvps.next_waitlisted(event.id)
        if head is None:
            return
        self._set_status(head, RSVPStatus.GOING, now, changed_by=self.principal.user_id)
        await self.rsvps.write()
        await self._record(
            "event_waitlist_promoted", event_id=str(event.id), user_id=str(head.user_id)
        )
        self._publish(WaitlistPromoted(event_id=event.id, user_id=head.user_id))

    async def _local_date(self, event: Event) -> date:
        """The event's date on the department's wall clock (§7 [fix]: the training date)."""
        return event.start_datetime.astimezone(await self._zone()).date()

    async def _check_in(
        self, event: Event, row: EventRSVP, at: datetime, method: CheckInMethod
    ) -> None:
        """Mark the row checked in at `at` (unless an override already gave it a time) and
        tell training and the monitor: every check-in path publishes this (§6 [fix])."""
        row.checked_in = True
        row.checked_in_at = row.checked_in_at or at
        await self.rsvps.write()
        self._publish(CheckedIn(**await self._mark(event, row.user_id, at, method)))

    async def _checked_out(
        self, event: Event, user_id: UUID, at: datetime, method: CheckInMethod
    ) -> None:
        self._publish(CheckedOut(**await self._mark(event, user_id, at, method)))

    async def _mark(
        self, event: Event, user_id: UUID, at: datetime, method: CheckInMethod
    ) -> dict[str, Any]:
        """What a check-in or check-out event carries for training and the monitor (§9)."""
        return {
            "event_id": event.id,
            "user_id": user_id,
            "at": at,
            "method": method,
            "event_type": event_type_of(event).value,
            "local_date": await self._local_date(event),
        }
