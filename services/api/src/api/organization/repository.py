"""Queries of the caller's organization row and the membership numbers its members use."""

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models import Organization, User


class OrganizationRepository:
    """The caller's own organization (the tenant row itself)."""

    def __init__(self, session: AsyncSession, organization_id: UUID) -> None:
        self.session = session
        self.organization_id = organization_id

    async def get(self) -> Organization | None:
        """The organization, when it still exists."""
        stmt = select(Organization).where(Organization.id == self.organization_id)
        return (await self.session.scalars(stmt)).first()

    async def get_for_update(self) -> Organization | None:
        """The organization, locked until commit, so two settings writes cannot lose one."""
        stmt = select(Organization).where(Organization.id == self.organization_id).with_for_update()
        return (await self.session.scalars(stmt)).first()

    async def membership_numbers_in_use(self, candidates: list[str]) -> set[str]:
        """Which of the (lower-cased) candidate numbers members already hold."""
        stmt = select(User.membership_number_key).where(
            User.organization_id == self.organization_id,
            User.membership_number_key.in_(candidates),
        )
        return {key for key in (await self.session.scalars(stmt)).all() if key is not None}
