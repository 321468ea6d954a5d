"""SQL of the event reports (spec events.md §4.7): RSVP figures in one aggregated query, and
the check-ins with their members for the monitor."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, case, func, select

from api.events.repository._roster import PERSON_COLUMNS, Person
from shared.db.repository import TenantRepository
from shared.models import EventRSVP, RSVPStatus, User


@dataclass(frozen=True)
class AttendanceFigures:
    """Counts of one event's RSVP rows."""

    rows: int = 0  # every row, `waitlisted` too
    going: int = 0
    not_going: int = 0
    maybe: int = 0
    going_checked_in: int = 0
    going_guests: int = 0
    checked_in: int = 0  # whatever the answer


@dataclass(frozen=True)
class CheckIn:
    """A checked-in row as the monitor lists it."""

    person: Person
    checked_in_at: datetime
    status: RSVPStatus
    guest_count: int


def _total(condition: ColumnElement[bool], value: object = 1) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


class ReportRepository(TenantRepository[EventRSVP]):
    """Read-only figures of the caller's organization's events."""

    model = EventRSVP

    async def figures(self, event_id: UUID) -> AttendanceFigures:
        """The event's counts, in one query."""
        going = EventRSVP.status == RSVPStatus.GOING
        present = EventRSVP.checked_in.is_(True)
        stmt = select(
            func.count(),
            _total(going),
            _total(EventRSVP.status == RSVPStatus.NOT_GOING),
            _total(EventRSVP.status == RSVPStatus.MAYBE),
            _total(going & present),
            _total(going, EventRSVP.guest_count),
            _total(present),
        ).where(EventRSVP.organization_id == self.organization_id, EventRSVP.event_id == event_id)
        row = (await self.session.execute(stmt)).one()
        return AttendanceFigures(*(int(value) for value in row))

    async def check_ins(self, event_id: UUID) -> list[CheckIn]:
        """The event's check-ins with their members, latest first."""
        stmt = (
            select(
                EventRSVP.checked_in_at, EventRSVP.status, EventRSVP.guest_count, *PERSON_COLUMNS
            )
            .join(User, User.id == EventRSVP.user_id)
            .where(
                EventRSVP.organization_id == self.organization_id,
                EventRSVP.event_id == event_id,
                EventRSVP.checked_in.is_(True),
            )
            .order_by(EventRSVP.checked_in_at.desc(), EventRSVP.id)
        )
        rows = await self.session.execute(stmt)
        # A checked-in row always has its time; the filter only satisfies the type.
        return [
            CheckIn(Person(user_id, first, last, username, email), at, status, guests)
            for at, status, guests, user_id, first, last, username, email in rows
            if at is not None
        ]
