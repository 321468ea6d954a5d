"""Queries of system-role seeding."""

from collections.abc import Sequence

from shared.db.repository import TenantRepository
from shared.models import Position


class SystemRoleRepository(TenantRepository[Position]):
    """One organization's system roles."""

    model = Position

    async def system_roles(self) -> Sequence[Position]:
        """The organization's system roles, as they were seeded or edited since."""
        stmt = self.scoped().where(Position.is_system.is_(True))
        return (await self.session.scalars(stmt)).all()

    async def add_all(self, roles: Sequence[Position]) -> None:
        """Insert the roles (flushed, so their ids can be assigned to members)."""
        self.session.add_all(roles)
        await self.session.flush()
