"""Events (calendar) events the api publishes (spec events.md §9): `logbook.api.event.<verb>`."""

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

import msgspec

from shared.events.envelope import EventData

# How a member came to be checked in or out (§9): the QR page, a manager, add-attendee.
CheckInMethod = Literal["self", "manager", "added"]


class EventFacts(EventData, frozen=True, kw_only=True):
    """What every calendar change carries: the event, its kind, time and place."""

    event_id: UUID
    title: str
    event_type: str
    start_datetime: datetime
    end_datetime: datetime
    location_id: UUID | None = None


class EventCreated(EventFacts, frozen=True, kw_only=True):
    """An event was scheduled (a draft too: `is_draft` says so)."""

    subject: ClassVar[str] = "logbook.api.event.created"
    is_draft: bool = False


class EventUpdated(EventFacts, frozen=True, kw_only=True):
    """An event's fields changed. A significant change (title, start, end, location) names the
    members holding a `going` or `maybe` RSVP at that moment, who are told (§4.2, §8.11)."""

    subject: ClassVar[str] = "logbook.api.event.updated"
    changed_fields: list[str]
    significant: bool
    recipient_ids: list[UUID] = msgspec.field(default_factory=list)


class EventPublished(EventFacts, frozen=True, kw_only=True):
    """A draft was published."""

    subject: ClassVar[str] = "logbook.api.event.published"


class EventDeleted(EventFacts, frozen=True, kw_only=True):
    """An event was deleted with its RSVPs (alone, or as part of its series)."""

    subject: ClassVar[str] = "logbook.api.event.deleted"
    series_parent_id: UUID | None = None


class EventCancelled(EventFacts, frozen=True, kw_only=True):
    """An event was cancelled (one event per occurrence of a cancelled series). The members to
    tell are listed only when the manager asked for notifications (§4.2)."""

    subject: ClassVar[str] = "logbook.api.event.cancelled"
    reason: str
    series_parent_id: UUID | None = None
    recipient_ids: list[UUID] = msgspec.field(default_factory=list)


class SeriesCreated(EventData, frozen=True, kw_only=True):
    """A recurring series was created: its parent (the first occurrence) and every occurrence."""

    subject: ClassVar[str] = "logbook.api.event.series_created"
    parent_id: UUID
    title: str
    event_type: str
    occurrence_ids: list[UUID]
    pattern: str


class RSVPChanged(EventData, frozen=True, kw_only=True):
    """A member's RSVP was created, changed or removed (`new_status` null when removed)."""

    subject: ClassVar[str] = "logbook.api.event.rsvp_changed"
    event_id: UUID
    user_id: UUID
    old_status: str | None
    new_status: str | None
    actor_id: UUID | None = None


class WaitlistPromoted(EventData, frozen=True, kw_only=True):
    """The oldest waitlisted RSVP became `going` when a seat freed up (§8.2)."""

    subject: ClassVar[str] = "logbook.api.event.waitlist_promoted"
    event_id: UUID
    user_id: UUID


class AttendanceMark(EventData, frozen=True, kw_only=True):
    """Fields of a check-in or check-out."""

    event_id: UUID
    user_id: UUID
    at: datetime
    method: CheckInMethod
    event_type: str
    # The event's date on the department's wall clock: the training record's date (§7 [fix]).
    local_date: date


class CheckedIn(AttendanceMark, frozen=True, kw_only=True):
    """A member was checked in to an event, by any path."""

    subject: ClassVar[str] = "logbook.api.event.checked_in"


class CheckedOut(AttendanceMark, frozen=True, kw_only=True):
    """A member was checked out of an event (by themself, or by end-event)."""

    subject: ClassVar[str] = "logbook.api.event.checked_out"


class AttendanceOverridden(EventData, frozen=True, kw_only=True):
    """A manager set a member's attendance times or minutes; `minutes` is the effective count."""

    subject: ClassVar[str] = "logbook.api.event.attendance_overridden"
    event_id: UUID
    user_id: UUID
    minutes: int | None


class FinalizedAttendee(msgspec.Struct, frozen=True, kw_only=True):
    """One member's finalized attendance."""

    user_id: UUID
    rsvp_id: UUID
    check_in: datetime | None
    check_out: datetime | None
    minutes: int | None


class AttendanceFinalized(EventData, frozen=True, kw_only=True):
    """Attendance minutes were finalized: training records get their hours, admin hours their
    credit (their consumers, §6)."""

    subject: ClassVar[str] = "logbook.api.event.attendance_finalized"
    event_id: UUID
    event_type: str
    custom_category: str | None
    start_datetime: datetime
    local_date: date  # the event's date on the department's wall clock (§7 [fix])
    attendees: list[FinalizedAttendee]


class EventEnded(EventData, frozen=True, kw_only=True):
    """A manager ended the event: everyone still checked in was checked out."""

    subject: ClassVar[str] = "logbook.api.event.ended"
    event_id: UUID
    actual_end_time: datetime
    checked_out_count: int


class ReminderDue(EventFacts, frozen=True, kw_only=True):
    """An RSVP reminder's time came (`hours_before` the start): the members its target names,
    active at that moment, are reminded (api/events/reminders.py)."""

    subject: ClassVar[str] = "logbook.api.event.reminder_due"
    hours_before: int
    recipient_ids: list[UUID]
