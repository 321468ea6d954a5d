"""Inbox entries about calendar events (spec events.md §4.2, §4.4, §8.11) and their reminders.

A significant edit tells the members who held a `going` or `maybe` RSVP when it was made, and a
cancellation tells them only when the manager asked: the event lists them (`recipient_ids`). A
promotion off the waitlist tells the promoted member; an RSVP reminder
(api/events/reminders.py) the members its target named, less those who turned event reminders
off. One entry per member and event, e-mailed by the member's preference as every notice is
(`from_events.deliver`); a member no longer active, or not of the event's organization, gets
nothing. Times read in the department's own time zone.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.notifications.calendar_repository import CalendarReader
from api.notifications.from_events import deliver, stale
from api.notifications.repository import InboxWriter
from api.notifications.triggers import EVENT_REMINDER, EVENT_UPDATE, Draft
from shared.events.contracts.events import (
    EventCancelled,
    EventUpdated,
    ReminderDue,
    WaitlistPromoted,
)
from shared.events.envelope import Envelope, EventData
from shared.mailer import Mailer
from shared.models import User
from shared.scheduled.daily import department_zone
from shared.settings import Settings

log = structlog.get_logger("api.notifications")
CONTRACTS: dict[str, type[EventData]] = {
    contract.subject: contract
    for contract in (EventUpdated, EventCancelled, WaitlistPromoted, ReminderDue)
}
# The fields of a significant edit (§8.11), as the notice names them, in this order.
CHANGES = {
    "title": "title",
    "start_datetime": "time",
    "end_datetime": "time",
    "location": "location",
    "location_id": "location",
}


@dataclass(frozen=True)
class Notice:
    """What the members of one calendar event are told."""

    event_id: UUID
    recipients: list[UUID]
    category: str
    subject: str
    message: str


async def notify_calendar(
    session: AsyncSession, envelope: Envelope, settings: Settings, mailer: Mailer
) -> int:
    """Write each concerned member's entry for the calendar event `envelope` stands for (and
    e-mail it); how many entries were new."""
    contract = CONTRACTS.get(envelope.type)
    if contract is None or envelope.organization_id is None or stale(envelope):
        return 0
    try:
        data = msgspec.convert(envelope.data, contract)
    except msgspec.ValidationError:
        # Redelivering cannot mend it: logged and dropped, never retried.
        log.warning("notifications.malformed_event", event_type=envelope.type)
        return 0
    reader = CalendarReader(session, envelope.organization_id)
    zone = department_zone(await reader.timezone())
    notice = await _notice(data, reader, zone)
    if notice is None:
        return 0
    writer = InboxWriter(session, envelope.organization_id)
    written = 0
    for user_id in sorted(set(notice.recipients)):
        member = await writer.recipient(user_id)
        if member is None:
            log.info("notifications.no_active_recipient", event_type=envelope.type)
            continue
        if notice.category == EVENT_REMINDER and not _wants_reminders(member):
            log.info("notifications.reminder_opted_out", user_id=str(member.id))
            continue
        draft = Draft(
            member.id, notice.category, notice.subject, notice.message, f"/events/{notice.event_id}"
        )
        entry = await deliver(writer, envelope, draft, member, settings=settings, mailer=mailer)
        written += entry is not None
    return written


async def _notice(data: EventData, reader: CalendarReader, zone: ZoneInfo) -> Notice | None:
    if isinstance(data, EventUpdated):
        return _updated(data, zone)
    if isinstance(data, EventCancelled):
        message = f"{data.title} ({_when(data.start_datetime, zone)}) was cancelled: {data.reason}"
        subject = f"Event cancelled: {data.title}"
        return Notice(data.event_id, data.recipient_ids, EVENT_UPDATE, subject, message)
    if isinstance(data, WaitlistPromoted):
        return await _promoted(data, reader, zone)
    if isinstance(data, ReminderDue):
        message = f"{data.title} starts {_when(data.start_datetime, zone)}."
        subject = f"Reminder: {data.title}"
        return Notice(data.event_id, data.recipient_ids, EVENT_REMINDER, subject, message)
    return None


def _updated(data: EventUpdated, zone: ZoneInfo) -> Notice | None:
    changed = list(dict.fromkeys(CHANGES[f] for f in CHANGES if f in data.changed_fields))
    if not (data.significant and changed and data.recipient_ids):
        return None
    message = (
        f"The {' and '.join(changed)} of {data.title} changed. "
        f"It now starts {_when(data.start_datetime, zone)}."
    )
    subject = f"Event updated: {data.title}"
    return Notice(data.event_id, data.recipient_ids, EVENT_UPDATE, subject, message)


async def _promoted(
    data: WaitlistPromoted, reader: CalendarReader, zone: ZoneInfo
) -> Notice | None:
    # The promotion names only the event: its title and time are read as they are now.
    event = await reader.get(data.event_id)
    if event is None or event.is_cancelled:
        return None
    message = (
        f"A place opened up: you are now going to {event.title} "
        f"({_when(event.start_datetime, zone)})."
    )
    subject = f"Off the waitlist: {event.title}"
    return Notice(event.id, [data.user_id], EVENT_UPDATE, subject, message)


def _when(at: datetime, zone: ZoneInfo) -> str:
    """A moment as the department's members read it: `Sat, Dec 12, 2026 at 07:00 PM EST`."""
    local = at.astimezone(zone)
    return f"{local:%a, %b} {local.day}, {local.year} at {local:%I:%M %p} {local.tzname()}"


def _wants_reminders(member: User) -> bool:
    # The profile's "event reminders" switch (app-shell spec §2.3 preferences), on by default.
    return bool((member.notification_preferences or {}).get("event_reminders", True))
