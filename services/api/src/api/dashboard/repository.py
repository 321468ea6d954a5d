"""Queries behind the dashboard's member figures."""

from sqlalchemy import case, func, select

from shared.db.repository import TenantRepository
from shared.models import MemberStatus, User


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
