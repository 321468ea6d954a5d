"""Queries behind the dashboard's figures: members, and a read-only count of events."""

from datetime import datetime

from sqlalchemy import case, func, select

from shared.db.repository import TenantRepository
from shared.models import Event, MemberStatus, User


class MemberCountRepository(TenantRepository[User]):
    """Counts of the caller's organization's members."""

    model = User

    async def counts(self) -> tuple[int, int]:
        """(members, active members), soft-deleted members excluded, in one statement."""
        active = func.coalesce(func.sum(case((User.status == MemberStatus.ACTIVE, 1), else_=0)), 0)
        stmt = select(func.count(User.id), active).where(
            User.organization_id == self.organization_id, User.deleted_at.is_(None)
        )
        total, active_count = (await self.session.execute(stmt)).one()
        return int(total), int(active_count)


class EventCountRepository(TenantRepository[Event]):
    """Counts of the caller's organization's published, not cancelled events."""

    model = Event

    async def starting_between(self, start: datetime, end: datetime | None = None) -> int:
        """Events starting at or after `start` (and before `end`, when given)."""
        stmt = select(func.count(Event.id)).where(
            Event.organization_id == self.organization_id,
            Event.is_draft.is_(False),
            Event.is_cancelled.is_(False),
            Event.start_datetime >= start,
        )
        if end is not None:
            stmt = stmt.where(Event.start_datetime < end)
        return int(await self.session.scalar(stmt) or 0)
