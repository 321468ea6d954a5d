"""Reads of one organization's audit trail; this service never updates or deletes an entry."""

from collections.abc import AsyncIterator, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Executable, Select, func, select
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.schemas import AuditLogFilters
from shared.models import AuditChainHead, AuditLog, User

TOP_CATEGORIES = 10


class AuditLogRepository:
    """The caller's organization's entries; rows of other organizations (or none) never show."""

    def __init__(self, session: AsyncSession, organization_id: UUID) -> None:
        self.session = session
        self.organization_id = organization_id

    def scoped(self) -> Select[AuditLog]:
        """Entries of the caller's organization: every entry query starts here."""
        return select(AuditLog).where(AuditLog.organization_id == self.organization_id)

    def _conditions(self, filters: AuditLogFilters) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [AuditLog.organization_id == self.organization_id]
        if filters.event_type is not None:
            conditions.append(AuditLog.event_type == filters.event_type)
        if filters.event_category is not None:
            conditions.append(AuditLog.event_category == filters.event_category)
        if filters.severity is not None:
            conditions.append(AuditLog.severity == filters.severity)
        if filters.user_id is not None:
            conditions.append(AuditLog.user_id == filters.user_id)
        if filters.search:
            # autoescape: `%` and `_` typed by the caller match themselves, not anything.
            needle = filters.search.lower()
            conditions.append(
                func.lower(AuditLog.username).contains(needle, autoescape=True)
                | func.lower(AuditLog.event_type).contains(needle, autoescape=True)
            )
        if filters.start_date is not None:
            conditions.append(AuditLog.timestamp >= filters.start_date)
        if filters.end_date is not None:
            conditions.append(AuditLog.timestamp <= filters.end_date)
        return conditions

    async def page(
        self, filters: AuditLogFilters, skip: int, limit: int
    ) -> tuple[Sequence[AuditLog], int]:
        """One page of matching entries, newest first, and how many match in all."""
        conditions = self._conditions(filters)
        total = await self.session.scalar(select(func.count(AuditLog.id)).where(*conditions))
        rows = await self.session.scalars(
            select(AuditLog)
            .where(*conditions)
            .order_by(AuditLog.timestamp.desc(), AuditLog.id.desc())
            .offset(skip)
            .limit(limit)
        )
        return rows.all(), total or 0

    async def entry(self, log_id: int) -> AuditLog | None:
        """The entry with this id in this organization, else None."""
        return (await self.session.scalars(self.scoped().where(AuditLog.id == log_id))).first()

    async def count(self) -> int:
        """How many entries the organization has."""
        total = await self.session.scalar(
            select(func.count(AuditLog.id)).where(AuditLog.organization_id == self.organization_id)
        )
        return total or 0

    async def count_by(self, column: Any, top: int | None = None) -> dict[str, int]:
        """Entries per value of `column`, most frequent first (only the `top` first if given)."""
        counted = func.count(AuditLog.id)
        stmt = (
            select(column, counted)
            .where(AuditLog.organization_id == self.organization_id)
            .group_by(column)
            .order_by(counted.desc(), column)
            .limit(top)
        )
        return {str(value): count for value, count in (await self.session.execute(stmt)).all()}

    async def head(self) -> tuple[int | None, str] | None:
        """The chain head's (last id, last hash), read as plain values, never as a locked row."""
        row = (
            await self.session.execute(
                select(AuditChainHead.last_id, AuditChainHead.last_hash).where(
                    AuditChainHead.organization_id == self.organization_id
                )
            )
        ).first()
        return None if row is None else (row.last_id, row.last_hash)

    async def hash_before(self, log_id: int) -> str | None:
        """The `current_hash` of the organization's entry right before `log_id`, if any."""
        return await self.session.scalar(
            select(AuditLog.current_hash)
            .where(AuditLog.organization_id == self.organization_id, AuditLog.id < log_id)
            .order_by(AuditLog.id.desc())
            .limit(1)
        )

    async def in_chain_order(
        self, after_id: int, through_id: int | None, batch_size: int
    ) -> AsyncIterator[Sequence[AuditLog]]:
        """Entries after `after_id` (through `through_id`) in id order, one batch at a time."""
        while True:
            stmt = self.scoped().where(AuditLog.id > after_id)
            if through_id is not None:
                stmt = stmt.where(AuditLog.id <= through_id)
            batch = (await self.session.scalars(stmt.order_by(AuditLog.id).limit(batch_size))).all()
            if not batch:
                return
            yield batch
            after_id = batch[-1].id


class AuditChainRepository:
    """Appends to one organization's chain: its head row (locked) and the new entries."""

    def __init__(self, session: AsyncSession, organization_id: UUID) -> None:
        self.session = session
        self.organization_id = organization_id

    async def locked_head(self, genesis_hash: str) -> AuditChainHead:
        """The chain head, row-locked until the transaction ends; created (at genesis) if none.

        A locking read of a missing row takes a gap lock, and first writers holding gap locks
        deadlock on their inserts. So a missing head is created by an upsert, which only ever
        waits for the row itself; the plain existence check takes no lock at all.
        """
        exists = await self.session.scalar(
            select(AuditChainHead.organization_id).where(
                AuditChainHead.organization_id == self.organization_id
            )
        )
        if exists is None:
            await self.session.execute(self._create_head_if_missing(genesis_hash))
        # populate_existing: a head read earlier in this session (unlocked) must not shadow the
        # locked row's current values, or the new entry would link to a stale hash.
        head = await self.session.get(
            AuditChainHead, self.organization_id, with_for_update=True, populate_existing=True
        )
        if head is None:
            raise RuntimeError("audit chain head vanished")
        return head

    def _create_head_if_missing(self, genesis_hash: str) -> Executable:
        values = {"organization_id": self.organization_id, "last_hash": genesis_hash}
        if self.session.get_bind().dialect.name in ("mysql", "mariadb"):
            upsert = mysql_insert(AuditChainHead).values(values)
            # A no-op update: a head another writer created first is locked and left as it is.
            return upsert.on_duplicate_key_update(last_hash=upsert.table.c.last_hash)
        return sqlite_insert(AuditChainHead).values(values).on_conflict_do_nothing()

    async def add(self, entry: AuditLog) -> None:
        """Insert the entry (flushed, so it has its id)."""
        self.session.add(entry)
        await self.session.flush()

    async def advance(self, head: AuditChainHead, entry: AuditLog) -> None:
        """Move the locked head to `entry`, the chain's new last entry."""
        head.last_id = entry.id
        head.last_hash = entry.current_hash
        await self.session.flush()


async def member_facts(session: AsyncSession, user_id: UUID) -> tuple[UUID, str] | None:
    """(organization, username) of a member, for entries written from events."""
    row = (
        await session.execute(select(User.organization_id, User.username).where(User.id == user_id))
    ).first()
    return None if row is None else (row.organization_id, row.username)
