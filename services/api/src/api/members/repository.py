"""Every query of the member area, scoped to the caller's organization.

Each method loads what it returns (`selectinload`), since relationships are `lazy="raise"`.
Writes that a key can refuse raise `ClashError` (`shared.db.integrity`); the service names the
409.
"""

from collections.abc import Collection, Sequence
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import Row, Select, bindparam, delete, func, null, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload, subqueryload
from sqlalchemy.sql.elements import BindParameter

from shared.catalog.seed import ensure_system_roles
from shared.db.integrity import guarded
from shared.db.repository import TenantRepository
from shared.models import (
    AuditLog,
    Location,
    MemberStatus,
    Organization,
    Position,
    User,
    UserPosition,
)

# Roster columns; phone and mobile are decrypted only when the roster shows them.
ROSTER_COLUMNS = (
    User.id,
    User.organization_id,
    User.username,
    User.first_name,
    User.middle_name,
    User.last_name,
    User.membership_number,
    User.photo_url,
    User.status,
    User.membership_type,
    User.compliance_exempt,
    User.hire_date,
    User.rank,
    User.station,
    User.platoon,
)
RosterRow = Row[*tuple[Any, ...]]


class MemberRepository(TenantRepository[User]):
    """Members of one organization."""

    model = User

    def live(self) -> Select[User]:
        """Members that are not soft-deleted."""
        return self.scoped().where(User.deleted_at.is_(None))

    async def roster_state(self) -> tuple[dict[str, Any], tuple[Any, ...]]:
        """The organization's settings and a fingerprint of its live members, in one statement.

        The fingerprint changes whenever a member is added, deleted or written (every write
        through the models sets `updated_at`), so an unchanged one means an unchanged roster.
        """
        stmt = _roster_state_statement(self.session.get_bind().dialect.name)
        row = (await self.session.execute(stmt, {"organization_id": self.organization_id})).one()
        return row[0] or {}, tuple(row[1:])

    async def roster(self, *, email: bool, phone: bool, mobile: bool) -> Sequence[RosterRow]:
        """Roster rows in one query, contact columns only when they will be shown."""
        stmt = (
            select(
                *ROSTER_COLUMNS,
                (User.email if email else null()).label("email"),
                (User.phone if phone else null()).label("phone"),
                (User.mobile if mobile else null()).label("mobile"),
            )
            .where(User.organization_id == self.organization_id, User.deleted_at.is_(None))
            .order_by(User.last_name, User.first_name)
        )
        return (await self.session.execute(stmt)).all()

    async def all_with_roles(self) -> Sequence[User]:
        """Every live member with their roles, in roster order, in two statements.

        `subqueryload` rather than `selectinload`: selectin loading splits its IN list every 500
        members, so a large department would cost more statements than a small one.
        """
        roles = subqueryload(User.positions).joinedload(UserPosition.position)
        stmt = self.live().order_by(User.last_name, User.first_name).options(roles)
        return (await self.session.scalars(stmt)).all()

    async def get_with_roles(self, user_id: UUID, *, include_deleted: bool = False) -> User | None:
        """One member with their roles; soft-deleted ones only when asked."""
        base = self.scoped() if include_deleted else self.live()
        stmt = base.where(User.id == user_id).options(_with_roles())
        return (await self.session.scalars(stmt)).first()

    async def get_for_update(self, user_id: UUID, *, include_deleted: bool = False) -> User | None:
        """One member with their roles, row-locked for a change."""
        base = self.scoped() if include_deleted else self.live()
        stmt = base.where(User.id == user_id).with_for_update().options(_with_roles())
        return (await self.session.scalars(stmt)).first()

    async def username_of(self, user_id: UUID) -> str | None:
        """The username of a member of the organization (soft-deleted too), else None."""
        stmt = select(User.username).where(
            User.organization_id == self.organization_id, User.id == user_id
        )
        return await self.session.scalar(stmt)

    async def clashes(
        self, *, username: str | None, email: str | None, membership_number: str | None
    ) -> Sequence[User]:
        """Members (soft-deleted ones too) holding the username, email or live number."""
        conditions = []
        if username is not None:
            conditions.append(User.username_lower == username.lower())
        if email is not None:
            conditions.append(User.email_lower == email.lower())
        if membership_number is not None:
            conditions.append(User.membership_number_key == membership_number.lower())
        if not conditions:
            return []
        return (await self.session.scalars(self.scoped().where(or_(*conditions)))).all()

    async def numbers_taken(self, candidates: Collection[str]) -> set[str]:
        """Which of these membership numbers (lower-cased) live members hold."""
        keys = [c.lower() for c in candidates]
        stmt = select(User.membership_number_key).where(
            User.organization_id == self.organization_id, User.membership_number_key.in_(keys)
        )
        return {key for key in (await self.session.scalars(stmt)) if key is not None}

    async def archived(self) -> Sequence[User]:
        """Archived live members, newest archive first."""
        stmt = self.live().where(User.status == MemberStatus.ARCHIVED)
        return (await self.session.scalars(stmt.order_by(User.archived_at.desc()))).all()

    def add(self, user: User) -> None:
        """Stage a new member (written by the next `flush`)."""
        self.session.add(user)

    async def flush(self) -> None:
        """Write pending changes; `ClashError` naming the field when a unique key refuses."""
        async with guarded(self.session, savepoint=False):
            pass  # the changes were staged on loaded or added members

    async def set_roles(
        self, user: User, removed: Collection[UUID], added: Collection[UUID], assigned_by: UUID
    ) -> None:
        """Take the `removed` roles from the member and give them the `added` ones."""
        if removed:
            await self.session.execute(
                delete(UserPosition).where(
                    UserPosition.user_id == user.id, UserPosition.position_id.in_(list(removed))
                )
            )
        for role_id in added:
            self.session.add(
                UserPosition(user_id=user.id, position_id=role_id, assigned_by=assigned_by)
            )
        await self.session.flush()
        # The loaded collection is stale now: the next read of the member loads it afresh.
        self.session.expire(user, ["positions"])

    async def delete(self, user: User) -> None:
        """Remove the row, clearing nullable references to it; `ClashError` while one needs it."""
        await self.session.execute(
            update(UserPosition).where(UserPosition.assigned_by == user.id).values(assigned_by=None)
        )
        await self.session.execute(
            update(Location)
            .where(Location.organization_id == self.organization_id, Location.created_by == user.id)
            .values(created_by=None)
        )
        # Assignments, sessions and credentials go with the row (ON DELETE CASCADE).
        async with guarded(self.session, savepoint=False):
            await self.session.execute(delete(User).where(User.id == user.id))


@cache
def _roster_state_statement(dialect: str) -> Select[Any]:
    # Built once per dialect with a bound organization id: the busiest route skips building
    # and keying a new statement on every request.
    organization_id: BindParameter[UUID] = bindparam("organization_id")
    if dialect in ("mysql", "mariadb"):
        # A checksum over every row's id and write time: any change moves it.
        fingerprint = func.bit_xor(func.crc32(func.concat(User.id, User.updated_at)))
    else:
        fingerprint = func.max(User.updated_at)  # SQLite: one process, one clock
    summary = (
        select(func.count().label("members"), fingerprint.label("fingerprint"))
        .where(User.organization_id == organization_id, User.deleted_at.is_(None))
        .subquery()
    )
    return (
        select(Organization.settings, *summary.c)
        .join_from(Organization, summary, true())  # one row joined to one row
        .where(Organization.id == organization_id)
    )


def _with_roles() -> Any:
    return selectinload(User.positions).selectinload(UserPosition.position)


class RoleRepository(TenantRepository[Position]):
    """Roles of one organization."""

    model = Position

    async def get_many(self, role_ids: Collection[UUID]) -> Sequence[Position]:
        """The organization's roles among these ids (foreign or unknown ids are absent)."""
        if not role_ids:
            return []
        stmt = self.scoped().where(Position.id.in_(list(role_ids)))
        return (await self.session.scalars(stmt)).all()

    async def system_role(self, slug: str) -> Position:
        """The system role with this slug, added first if the organization predates it."""
        stmt = self.scoped().where(Position.slug == slug)
        role = (await self.session.scalars(stmt)).first()
        if role is None:
            role = (await ensure_system_roles(self.session, self.organization_id))[slug]
        return role


class OrganizationRepository:
    """The caller's organization row (its settings document)."""

    def __init__(self, session: AsyncSession, organization_id: UUID) -> None:
        self.session = session
        self.organization_id = organization_id

    async def settings(self) -> dict[str, Any]:
        """The settings document, `{}` when unset."""
        stmt = select(Organization.settings).where(Organization.id == self.organization_id)
        return (await self.session.scalar(stmt)) or {}

    async def timezone(self) -> str | None:
        """The department's time zone name."""
        stmt = select(Organization.timezone).where(Organization.id == self.organization_id)
        return await self.session.scalar(stmt)

    async def get_for_update(self) -> Organization | None:
        """The organization, row-locked (membership numbers are handed out under this lock)."""
        stmt = select(Organization).where(Organization.id == self.organization_id)
        return (await self.session.scalars(stmt.with_for_update())).first()


class AuditHistoryRepository:
    """Audit entries of one organization about one member."""

    def __init__(self, session: AsyncSession, organization_id: UUID) -> None:
        self.session = session
        self.organization_id = organization_id

    async def about(
        self, user_id: UUID, event_types: Collection[str] | None, offset: int, limit: int
    ) -> Sequence[AuditLog]:
        """Entries naming the member, newest first; `event_types` None means any."""
        stmt = select(AuditLog).where(
            AuditLog.organization_id == self.organization_id,
            AuditLog.subject_user_id == user_id,
        )
        if event_types is not None:
            stmt = stmt.where(AuditLog.event_type.in_(list(event_types)))
        stmt = stmt.order_by(AuditLog.id.desc()).offset(offset).limit(limit)
        return (await self.session.scalars(stmt)).all()
