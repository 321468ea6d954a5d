"""The SQL of the RSVP reminders across organizations: which events have reminders ahead (the
members one reaches are read through the area's repositories, in the event's organization)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models import Event, ReminderTarget


@dataclass(frozen=True)
class Upcoming:
    """An event that may have a reminder due: when it starts and its reminder hours."""

    organization_id: UUID
    event_id: UUID
    start: datetime
    schedule: list[int] | None


async def upcoming(session: AsyncSession, now: datetime, horizon: timedelta) -> list[Upcoming]:
    """Every organization's events starting after `now` and within `horizon` that send
    reminders to someone (published, not cancelled); the scheduler works for all of them."""
    rows = await session.execute(
        select(
            Event.organization_id, Event.id, Event.start_datetime, Event.reminder_schedule
        ).where(
            Event.start_datetime > now,
            Event.start_datetime <= now + horizon,
            Event.is_cancelled.is_(False),
            Event.is_draft.is_(False),
            Event.send_reminders.is_(True),
            Event.reminder_target != ReminderTarget.NONE,
        )
    )
    return [Upcoming(row[0], row[1], row[2], row[3]) for row in rows]
