"""Queries of the organization's roles (`positions`) and who holds them."""

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from shared.db.integrity import guarded
from shared.db.repository import TenantRepository
from shared.models import MemberStatus, Position, User, UserPosition


class RoleRepository(TenantRepository[Position]):
    """The caller's organization's roles."""

    model = Position

    async def list_with_user_counts(self) -> list[tuple[Position, int]]:
        """Every role with its number of non-deleted holders, in one statement (§1 order)."""
        holders = (
            select(func.count(UserPosition.user_id))
            .join(User, User.id == UserPosition.user_id)
            .where(UserPosition.position_id == Position.id, User.deleted_at.is_(None))
            .correlate(Position)
            .scalar_subquery()
        )
        stmt = self.scoped().add_columns(holders).order_by(Position.priority.desc(), Position.name)
        return [(role, int(count)) for role, count in (await self.session.execute(stmt)).all()]

    async def list_ordered(self) -> Sequence[Position]:
        """Every role, most senior first, then by name."""
        stmt = self.scoped().order_by(Position.priority.desc(), Position.name)
        return (await self.session.scalars(stmt)).all()

    async def slugs(self) -> set[str]:
        """The slugs the organization already uses."""
        stmt = select(Position.slug).where(Position.organization_id == self.organization_id)
        return set((await self.session.scalars(stmt)).all())

    async def get_for_update(self, role_id: UUID) -> Position | None:
        """The role, locked until the request commits, so two edits cannot interleave."""
        stmt = self.scoped().where(Position.id == role_id).with_for_update()
        return (await self.session.scalars(stmt)).first()

    async def add(self, role: Position) -> None:
        """Insert a role in a savepoint; `ClashError` on the slug when it was taken meanwhile."""
        async with guarded(self.session):
            self.session.add(role)

    async def flush(self) -> None:
        """Write the changes made to loaded roles."""
        await self.session.flush()

    async def holder_ids(self, role_id: UUID) -> list[UUID]:
        """Members holding the role (any status, deleted too: their caches must follow)."""
        stmt = (
            select(UserPosition.user_id)
            .join(Position, Position.id == UserPosition.position_id)
            .where(UserPosition.position_id == role_id)
            .where(Position.organization_id == self.organization_id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def delete(self, role: Position) -> None:
        """Delete the role and its assignments."""
        await self.session.execute(delete(UserPosition).where(UserPosition.position_id == role.id))
        await self.session.execute(
            delete(Position).where(
                Position.id == role.id, Position.organization_id == self.organization_id
            )
        )

    async def permissions_by_role(self) -> dict[UUID, list[str]]:
        """Every role's permission list, by role id."""
        return {role.id: role.permissions for role in await self.session.scalars(self.scoped())}

    async def active_members_with_roles(self) -> Sequence[User]:
        """The organization's active, non-deleted members with their roles loaded."""
        stmt = (
            select(User)
            .where(
                User.organization_id == self.organization_id,
                User.status == MemberStatus.ACTIVE,
                User.deleted_at.is_(None),
            )
            .options(selectinload(User.positions).joinedload(UserPosition.position))
        )
        return (await self.session.scalars(stmt)).all()
