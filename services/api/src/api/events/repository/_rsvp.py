"""SQL of the RSVP rows (spec events.md §4.4, §4.5): the member's row locked after the event,
the locking count of `going` seats, the waitlist queue, the history, the attendance report.

Every write of an event's RSVPs runs under that event's row lock (taken first, by the
service), so the counts and the queue read here cannot change until the request commits;
they are locking reads anyway, which see the latest commits rather than the snapshot.
"""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select

from api.events.repository._roster import PERSON_COLUMNS, Person
from shared.db.integrity import guarded
from shared.db.repository import TenantRepository
from shared.models import EventRSVP, RSVPHistory, RSVPStatus, User


class RSVPRepository(TenantRepository[EventRSVP]):
    """The RSVP and attendance rows of the caller's organization's events."""

    model = EventRSVP

    async def find(self, event_id: UUID, user_id: UUID) -> EventRSVP | None:
        """The member's RSVP to the event, unlocked (reads that change nothing)."""
        stmt = self.scoped().where(EventRSVP.event_id == event_id, EventRSVP.user_id == user_id)
        return (await self.session.scalars(stmt)).first()

    async def lock(self, event_id: UUID, user_id: UUID) -> EventRSVP | None:
        """The member's RSVP to the event, locked and read afresh (after the event's lock)."""
        stmt = (
            self.scoped()
            .where(EventRSVP.event_id == event_id, EventRSVP.user_id == user_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).first()

    async def going_count(self, event_id: UUID) -> int:
        """Seats taken: the event's `going` rows (guests do not count, §8.3), a locking read."""
        stmt = (
            select(func.count())
            .select_from(EventRSVP)
            .where(
                EventRSVP.organization_id == self.organization_id,
                EventRSVP.event_id == event_id,
                EventRSVP.status == RSVPStatus.GOING,
            )
            .with_for_update(read=True)
        )
        return int(await self.session.scalar(stmt) or 0)

    async def next_waitlisted(self, event_id: UUID) -> EventRSVP | None:
        """The head of the waitlist: the earliest first answer (ties by id), locked."""
        stmt = (
            self.scoped()
            .where(EventRSVP.event_id == event_id, EventRSVP.status == RSVPStatus.WAITLISTED)
            .order_by(EventRSVP.responded_at, EventRSVP.id)
            .limit(1)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).first()

    async def add(self, rsvp: EventRSVP) -> None:
        """Insert a new RSVP; the (event, member) key is the backstop of the event lock."""
        async with guarded(self.session):
            self.session.add(rsvp)

    def log_change(
        self,
        rsvp: EventRSVP,
        old: RSVPStatus | None,
        new: RSVPStatus,
        *,
        changed_by: UUID | None,
        at: datetime,
    ) -> None:
        """A history row for a status change (or the first answer, `old` None)."""
        self.session.add(
            RSVPHistory(
                organization_id=rsvp.organization_id,
                rsvp_id=rsvp.id,
                event_id=rsvp.event_id,
                user_id=rsvp.user_id,
                old_status=old,
                new_status=new,
                changed_at=at,
                changed_by=changed_by,
            )
        )

    async def remove(self, rsvp: EventRSVP) -> None:
        """Delete the row with its history (the foreign key cascades)."""
        await self.session.delete(rsvp)
        await self.session.flush()

    async def write(self) -> None:
        """Write the changes made to loaded rows."""
        await self.session.flush()

    async def page(
        self, event_id: UUID, status: RSVPStatus | None, *, skip: int, limit: int
    ) -> list[tuple[EventRSVP, Person]]:
        """The event's RSVPs, latest first answer first, each with its member."""
        stmt = (
            select(EventRSVP, *PERSON_COLUMNS)
            .join(User, User.id == EventRSVP.user_id)
            .where(
                EventRSVP.organization_id == self.organization_id, EventRSVP.event_id == event_id
            )
        )
        if status is not None:
            stmt = stmt.where(EventRSVP.status == status)
        stmt = stmt.order_by(EventRSVP.responded_at.desc(), EventRSVP.id).offset(skip).limit(limit)
        return [
            (row, Person(user_id, first, last, username, email))
            for row, user_id, first, last, username, email in await self.session.execute(stmt)
        ]

    async def lock_present(self, event_id: UUID) -> Sequence[EventRSVP]:
        """The event's rows checked in and not out, locked in id order (end-event)."""
        stmt = (
            self.scoped()
            .where(
                EventRSVP.event_id == event_id,
                EventRSVP.checked_in.is_(True),
                EventRSVP.checked_out_at.is_(None),
            )
            .order_by(EventRSVP.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).all()

    async def lock_attended(self, event_id: UUID) -> Sequence[EventRSVP]:
        """Every checked-in row of the event, locked in id order (finalize)."""
        stmt = (
            self.scoped()
            .where(EventRSVP.event_id == event_id, EventRSVP.checked_in.is_(True))
            .order_by(EventRSVP.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).all()
