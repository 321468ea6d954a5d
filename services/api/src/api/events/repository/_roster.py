"""The members the events area reads (never writes): who may be checked in, names and e-mails
on RSVPs, the size of the roster. Read here rather than through the members area's code."""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import ColumnElement, func, select

from shared.db.repository import TenantRepository
from shared.models import MemberStatus, User


@dataclass(frozen=True)
class Person:
    """What an RSVP shows of its member."""

    id: UUID
    first_name: str | None
    last_name: str | None
    username: str
    email: str

    @property
    def name(self) -> str:
        """ "First Last" (§2 RSVPResponse), else the username."""
        return " ".join(part for part in (self.first_name, self.last_name) if part) or self.username


# The columns a `Person` is built from, in the order of its fields.
PERSON_COLUMNS = (User.id, User.first_name, User.last_name, User.username, User.email)


class RosterRepository(TenantRepository[User]):
    """Members of the caller's organization, read only."""

    model = User

    def _active(self) -> list[ColumnElement[bool]]:
        return [
            User.organization_id == self.organization_id,
            User.status == MemberStatus.ACTIVE,
            User.deleted_at.is_(None),
        ]

    async def active(self, user_id: UUID) -> Person | None:
        """An active member of the organization, else None (another organization's too)."""
        stmt = select(*PERSON_COLUMNS).where(User.id == user_id, *self._active())
        row = (await self.session.execute(stmt)).first()
        return None if row is None else Person(*row)

    async def person(self, user_id: UUID) -> Person | None:
        """A member of the organization whatever their status (an RSVP outlives activity)."""
        stmt = select(*PERSON_COLUMNS).where(
            User.id == user_id, User.organization_id == self.organization_id
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else Person(*row)

    async def eligible(self) -> Sequence[Person]:
        """Active members sorted by last, then first name (§4.5 #14)."""
        stmt = (
            select(*PERSON_COLUMNS)
            .where(*self._active())
            .order_by(User.last_name, User.first_name, User.id)
        )
        return [Person(*row) for row in await self.session.execute(stmt)]

    async def active_ids(self) -> list[UUID]:
        """The organization's active members, in id order (a reminder to `all`)."""
        stmt = select(User.id).where(*self._active()).order_by(User.id)
        return list((await self.session.scalars(stmt)).all())

    async def active_count(self) -> int:
        """How many active members the organization has (the monitor's check-in rate)."""
        stmt = select(func.count()).select_from(User).where(*self._active())
        return int(await self.session.scalar(stmt) or 0)
