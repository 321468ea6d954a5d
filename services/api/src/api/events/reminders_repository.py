"""The SQL of the RSVP reminders: which events have reminders ahead, and whom one reaches."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.repository import TenantRepository
from shared.models import Event, EventRSVP, MemberStatus, ReminderTarget, RSVPStatus, User


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


class ReminderRepository(TenantRepository[Event]):
    """One organization's event and the members its reminder goes to."""

    model = Event

    async def locked(self, event_id: UUID) -> Event | None:
        """The organization's event, locked until commit."""
        stmt = self.scoped().where(Event.id == event_id).with_for_update()
        return (await self.session.scalars(stmt)).first()

    async def going(self, event_id: UUID) -> list[UUID]:
        """Members holding a `going` RSVP to the event, in id order."""
        stmt = (
            select(EventRSVP.user_id)
            .where(
                EventRSVP.organization_id == self.organization_id,
                EventRSVP.event_id == event_id,
                EventRSVP.status == RSVPStatus.GOING,
            )
            .order_by(EventRSVP.user_id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def active_members(self) -> list[UUID]:
        """The organization's active members (not deleted), in id order."""
        stmt = (
            select(User.id)
            .where(
                User.organization_id == self.organization_id,
                User.status == MemberStatus.ACTIVE,
                User.deleted_at.is_(None),
            )
            .order_by(User.id)
        )
        return list((await self.session.scalars(stmt)).all())
