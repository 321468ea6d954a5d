"""Queries of system-role seeding: the organizations to seed and the system roles they have."""

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.repository import TenantRepository
from shared.models import Organization, Position


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


class OrganizationRepository:
    """Every organization of the install, whatever its state (each keeps its roles current)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ids(self) -> list[UUID]:
        """The id of every organization."""
        return list(await self.session.scalars(select(Organization.id)))
