"""The members and the organization row the training area reads (never writes), read here
rather than through the members area's code."""

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select

from shared.db.repository import TenantRepository
from shared.models import Organization, User


@dataclass(frozen=True)
class MemberProfile:
    """What a record takes from its member: who they are, their rank and station."""

    id: UUID
    username: str
    rank: str | None
    station: str | None


class MemberRepository(TenantRepository[User]):
    """Members of the caller's organization (any status, not deleted), and the organization."""

    model = User

    async def profiles(self, user_ids: Iterable[UUID]) -> dict[UUID, MemberProfile]:
        """The organization's members among these ids; another organization's are left out."""
        ids = set(user_ids)
        if not ids:
            return {}
        stmt = select(User.id, User.username, User.rank, User.station).where(
            User.organization_id == self.organization_id,
            User.id.in_(ids),
            User.deleted_at.is_(None),
        )
        return {row.id: MemberProfile(*row) for row in await self.session.execute(stmt)}

    async def organization(self) -> Organization | None:
        """The caller's organization row (its time zone and settings)."""
        return await self.session.get(Organization, self.organization_id)
