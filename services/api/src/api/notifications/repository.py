"""Queries of the organization's notification log and rules."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import ColumnElement, and_, case, delete, func, or_, select, update
from sqlalchemy.orm import selectinload

from shared.db.integrity import ClashError, ClashKind, guarded
from shared.db.repository import TenantRepository
from shared.models import (
    NotificationChannel,
    NotificationLog,
    NotificationRule,
    Position,
    User,
    UserPosition,
)
from shared.models.notifications import RuleCategory
from shared.permissions import effective_permissions, grants


@dataclass(frozen=True)
class LogFilter:
    """Which rows of the log a query sees: one recipient's (None: everyone's), one channel."""

    recipient_id: UUID | None
    channel: NotificationChannel | None = None
    include_read: bool = True
    unexpired_at: datetime | None = None  # hide rows expired at this time; None shows them


class NotificationLogRepository(TenantRepository[NotificationLog]):
    """The caller's organization's notifications."""

    model = NotificationLog

    def _conditions(self, where: LogFilter) -> list[ColumnElement[bool]]:
        conditions = [NotificationLog.organization_id == self.organization_id]
        if where.recipient_id is not None:
            conditions.append(NotificationLog.recipient_id == where.recipient_id)
        if where.channel is not None:
            conditions.append(NotificationLog.channel == where.channel)
        if not where.include_read:
            conditions.append(NotificationLog.read.is_(False))
        if where.unexpired_at is not None:
            conditions.append(
                or_(
                    NotificationLog.expires_at.is_(None),
                    NotificationLog.expires_at > where.unexpired_at,
                )
            )
        return conditions

    async def page(
        self, where: LogFilter, *, skip: int, limit: int
    ) -> tuple[Sequence[NotificationLog], int]:
        """A page of matching rows, newest first, and how many match in all."""
        conditions = self._conditions(where)
        total = await self.session.scalar(
            select(func.count()).select_from(NotificationLog).where(*conditions)
        )
        stmt = (
            select(NotificationLog)
            .where(*conditions)
            .order_by(NotificationLog.sent_at.desc(), NotificationLog.id.desc())
            .offset(skip)
            .limit(limit)
        )
        return (await self.session.scalars(stmt)).all(), int(total or 0)

    async def count(self, where: LogFilter) -> int:
        """How many rows match (the unread count reads only its index)."""
        found = await self.session.scalar(
            select(func.count()).select_from(NotificationLog).where(*self._conditions(where))
        )
        return int(found or 0)

    async def get_for_update(self, log_id: UUID, where: LogFilter) -> NotificationLog | None:
        """The row with this id if `where` sees it, locked until commit."""
        stmt = (
            select(NotificationLog)
            .where(NotificationLog.id == log_id, *self._conditions(where))
            .with_for_update()
        )
        return (await self.session.scalars(stmt)).first()

    async def mark_all_read(self, where: LogFilter, at: datetime) -> tuple[int, list[UUID]]:
        """Mark every unread matching row read at `at`: how many, and whose they were."""
        conditions = [NotificationLog.read.is_(False), *self._conditions(where)]
        recipients = await self.session.scalars(
            select(NotificationLog.recipient_id).where(*conditions).distinct()
        )
        owners = [recipient for recipient in recipients if recipient is not None]
        result = await self.session.execute(
            update(NotificationLog)
            .where(*conditions)
            .values(read=True, read_at=at)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount), owners  # type: ignore[attr-defined]

    async def sent_since(self, channel: NotificationChannel, since: datetime) -> int:
        """How many notifications of `channel` reached their recipient from `since` on."""
        found = await self.session.scalar(
            select(func.count())
            .select_from(NotificationLog)
            .where(
                NotificationLog.organization_id == self.organization_id,
                NotificationLog.channel == channel,
                NotificationLog.sent_at >= since,
                NotificationLog.delivered.is_(True),  # a refused e-mail was not sent
            )
        )
        return int(found or 0)


class RuleRepository(TenantRepository[NotificationRule]):
    """The caller's organization's notification rules."""

    model = NotificationRule

    async def search(
        self, *, category: RuleCategory | None, enabled: bool | None, search: str | None
    ) -> Sequence[NotificationRule]:
        """Rules by name; `search` matches name or description, ignoring case."""
        stmt = self.scoped()
        if category is not None:
            stmt = stmt.where(NotificationRule.category == category)
        if enabled is not None:
            stmt = stmt.where(NotificationRule.enabled.is_(enabled))
        if search:
            needle = search.lower()
            stmt = stmt.where(
                or_(
                    func.lower(NotificationRule.name).contains(needle, autoescape=True),
                    and_(
                        NotificationRule.description.is_not(None),
                        func.lower(NotificationRule.description).contains(needle, autoescape=True),
                    ),
                )
            )
        stmt = stmt.order_by(NotificationRule.name, NotificationRule.id)
        return (await self.session.scalars(stmt)).all()

    async def get_for_update(self, rule_id: UUID) -> NotificationRule | None:
        """The rule, locked until commit."""
        stmt = self.scoped().where(NotificationRule.id == rule_id).with_for_update()
        return (await self.session.scalars(stmt)).first()

    async def add(self, rule: NotificationRule) -> None:
        """Write a new rule."""
        self.session.add(rule)
        await self.session.flush()

    async def save(self) -> None:
        """Write the changes made to loaded rules."""
        await self.session.flush()

    async def delete(self, rule: NotificationRule) -> None:
        """Delete the rule; notifications it produced keep its name."""
        await self.session.execute(
            delete(NotificationRule).where(
                NotificationRule.id == rule.id,
                NotificationRule.organization_id == self.organization_id,
            )
        )

    async def counts(self) -> tuple[int, int]:
        """How many rules the organization has, and how many are enabled."""
        row = (
            await self.session.execute(
                select(
                    func.count(),
                    func.coalesce(func.sum(case((NotificationRule.enabled.is_(True), 1))), 0),
                ).where(NotificationRule.organization_id == self.organization_id)
            )
        ).one()
        return int(row[0]), int(row[1])


class InboxWriter(TenantRepository[NotificationLog]):
    """Entries the consumers write for members of one organization."""

    model = NotificationLog

    async def recipient(self, user_id: UUID, *, for_update: bool = False) -> User | None:
        """The member if they belong to this organization and are active (not deleted); locked
        until commit with `for_update`, to take one member's entries one event at a time."""
        stmt = select(User).where(User.id == user_id, User.organization_id == self.organization_id)
        found = await self.session.scalar(stmt.with_for_update() if for_update else stmt)
        return found if found is not None and found.is_active else None

    async def active_members_holding(self, permission: str) -> list[User]:
        """The organization's active members whose roles or rank grant `permission`."""
        rows = await self.session.scalars(
            select(User)
            .where(User.organization_id == self.organization_id)
            .options(selectinload(User.positions).joinedload(UserPosition.position))
        )
        return [
            user
            for user in rows.unique()
            if user.is_active and grants(effective_permissions(user), permission)
        ]

    async def role_names(self, role_ids: Sequence[UUID]) -> list[str]:
        """The names of these roles of the organization, by name."""
        if not role_ids:
            return []
        rows = await self.session.scalars(
            select(Position.name)
            .where(Position.organization_id == self.organization_id, Position.id.in_(role_ids))
            .order_by(Position.name)
        )
        return list(rows)

    async def pending_digest(
        self, recipient_id: UUID, category: str, since: datetime, now: datetime
    ) -> NotificationLog | None:
        """The member's newest unread, unexpired in-app entry of `category` written from
        `since` on, locked until commit."""
        stmt = (
            select(NotificationLog)
            .where(
                NotificationLog.organization_id == self.organization_id,
                NotificationLog.recipient_id == recipient_id,
                NotificationLog.channel == NotificationChannel.IN_APP,
                NotificationLog.category == category,
                NotificationLog.read.is_(False),
                NotificationLog.created_at >= since,
                or_(NotificationLog.expires_at.is_(None), NotificationLog.expires_at > now),
            )
            .order_by(NotificationLog.created_at.desc(), NotificationLog.id.desc())
            .limit(1)
            .with_for_update()
        )
        return (await self.session.scalars(stmt)).first()

    async def digests_begun(
        self, category: str, start: datetime, end: datetime, *, folded_for: timedelta
    ) -> list[NotificationLog]:
        """The in-app entries of `category` begun from `start` until `end`, withdrawn ones
        left out; an entry takes changes (and a later `sent_at`) for `folded_for` after."""
        stmt = self.scoped().where(
            NotificationLog.channel == NotificationChannel.IN_APP,
            NotificationLog.category == category,
            # sent_at first: it is indexed, and never earlier than created_at.
            NotificationLog.sent_at >= start,
            NotificationLog.sent_at < end + folded_for,
            NotificationLog.created_at >= start,
            NotificationLog.created_at < end,
            or_(NotificationLog.expires_at.is_(None), NotificationLog.expires_at > end),
        )
        return list((await self.session.scalars(stmt)).all())

    async def in_app_entry(self, entry_id: UUID) -> NotificationLog | None:
        """One of the organization's inbox entries."""
        stmt = self.scoped().where(
            NotificationLog.id == entry_id, NotificationLog.channel == NotificationChannel.IN_APP
        )
        return (await self.session.scalars(stmt)).first()

    async def save(self) -> None:
        """Write the changes made to loaded entries."""
        await self.session.flush()

    async def add_once(self, entry: NotificationLog) -> bool:
        """Write the entry in a savepoint; False when a redelivered event made it before."""
        try:
            async with guarded(self.session):
                self.session.add(entry)
        except ClashError as clash:
            if clash.kind is not ClashKind.UNIQUE:
                raise
            return False
        return True
