"""The RSVP reminder (spec events.md §2: `send_reminders`, `reminder_target`,
`reminder_schedule`), on the shared scheduled-work facility.

A reminder is due `hours` before an event starts, for each hour count of its schedule, until the
event starts. Each key (event, start, hours) runs once however many api instances tick, and never
again after a restart (`shared.scheduled`). The start is part of the key, so an event moved to
another time is reminded again before its new start. Of several reminder times already passed
(an event published late, or no instance running for a while) only the latest is sent, not a
burst of them. The job only publishes `ReminderDue`; the calendar notification consumer writes
the inbox entries (and mails them by each member's preference).
"""

from datetime import datetime, timedelta
from uuid import UUID

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.events.reminders_repository import upcoming
from api.events.repository import EventRepository, ReferenceRepository, RosterRepository
from api.events.service._rules import event_facts
from shared.events.contracts.events import ReminderDue
from shared.events.outbox import Outbox
from shared.models import Event, ReminderTarget, RSVPStatus
from shared.scheduled.work import ScheduledJob

log = structlog.get_logger("api.events.reminders")
JOB = "events.rsvp_reminders"
DEFAULT_SCHEDULE = [24]  # §2: a stored null reads as the default
# The longest reminder the schemas accept (a year): events starting later have none due yet.
HORIZON = timedelta(hours=8760)
# Members per published reminder: the consumer mails each one while its delivery is unacked,
# so a department-wide reminder is split to stay well inside the acknowledgement wait.
RECIPIENTS_PER_EVENT = 25


def reminder_key(
    organization_id: UUID,
    event_id: UUID,
    start: datetime,
    schedule: list[int] | None,
    now: datetime,
) -> str | None:
    """The key of the event's reminder due at `now`, or None when none is (or it started)."""
    if start <= now:
        return None
    hours = DEFAULT_SCHEDULE if schedule is None else schedule
    passed = [h for h in hours if start - timedelta(hours=h) <= now]
    if not passed:
        return None
    return f"{organization_id}/{event_id}/{start:%Y-%m-%dT%H:%M:%SZ}/{min(passed)}"


async def due(session: AsyncSession, now: datetime) -> list[str]:
    """The reminders due at `now`, one key per event at most."""
    keys = [
        reminder_key(item.organization_id, item.event_id, item.start, item.schedule, now)
        for item in await upcoming(session, now, HORIZON)
    ]
    return [key for key in keys if key is not None]


async def remind(session: AsyncSession, key: str, now: datetime) -> None:
    """Publish the reminder of `key` to the members its target names, if it is still due."""
    organization_id, event_id, _start, hours = key.split("/")
    organization = UUID(organization_id)
    # Locked: a cancellation or a move committing meanwhile is seen before anyone is reminded.
    event = await EventRepository(session, organization).lock(UUID(event_id))
    if event is None or _current_key(event, now) != key:
        log.info("events.reminder_no_longer_due", key=key)
        return
    if event.reminder_target is ReminderTarget.ALL:
        recipients = await RosterRepository(session, organization).active_ids()
    else:
        going = (RSVPStatus.GOING,)
        recipients = await ReferenceRepository(session, organization).holders(event.id, going)
    outbox = Outbox(session)
    for first in range(0, len(recipients), RECIPIENTS_PER_EVENT):
        outbox.add(
            ReminderDue(
                **event_facts(event),
                hours_before=int(hours),
                recipient_ids=recipients[first : first + RECIPIENTS_PER_EVENT],
            ),
            organization_id=event.organization_id,
            actor_id=None,
        )


def _current_key(event: Event, now: datetime) -> str | None:
    sends = event.send_reminders and event.reminder_target is not ReminderTarget.NONE
    if event.is_cancelled or event.is_draft or not sends:
        return None
    return reminder_key(
        event.organization_id, event.id, event.start_datetime, event.reminder_schedule, now
    )


RSVP_REMINDERS = ScheduledJob(name=JOB, due=due, run=remind)
