"""Queries of the organization's training records: the record list, locked reads, the
duplicate check's neighbours, writes."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from sqlalchemy import func, select

from api.training.schemas import RecordFilters
from shared.db.repository import TenantRepository
from shared.models import TrainingRecord, TrainingStatus

# Completions this many days apart still count as the same course taken twice (§4.2).
DUPLICATE_DAYS = 1


@dataclass(frozen=True)
class Completion:
    """An existing record a new one may duplicate."""

    id: UUID
    user_id: UUID
    course_key: str  # the course name, lower-cased
    completion_date: date


class RecordRepository(TenantRepository[TrainingRecord]):
    """The caller's organization's training records."""

    model = TrainingRecord

    async def listed(self, filters: RecordFilters) -> Sequence[TrainingRecord]:
        """Records by completion date, newest first and undated last (§4.2); the date bounds
        are inclusive and drop undated records."""
        stmt = self.scoped()
        if filters.user_id is not None:
            stmt = stmt.where(TrainingRecord.user_id == filters.user_id)
        if filters.status is not None:
            stmt = stmt.where(TrainingRecord.status == filters.status)
        if filters.start_date is not None:
            stmt = stmt.where(TrainingRecord.completion_date >= filters.start_date)
        if filters.end_date is not None:
            stmt = stmt.where(TrainingRecord.completion_date <= filters.end_date)
        stmt = stmt.order_by(
            TrainingRecord.completion_date.is_(None),
            TrainingRecord.completion_date.desc(),
            TrainingRecord.created_at.desc(),
            TrainingRecord.id,
        )
        return (await self.session.scalars(stmt)).all()

    async def get_for_update(self, record_id: UUID) -> TrainingRecord | None:
        """The record, locked until commit and read afresh."""
        stmt = (
            self.scoped()
            .where(TrainingRecord.id == record_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).first()

    async def completions_near(
        self, user_ids: Iterable[UUID], course_keys: Iterable[str], first: date, last: date
    ) -> list[Completion]:
        """Records of these members and course names (lower-cased) completed from a day
        before `first` to a day after `last`, voided ones left out, oldest first: the
        candidates of the duplicate check."""
        users, keys = set(user_ids), set(course_keys)
        if not users or not keys:
            return []
        key = func.lower(TrainingRecord.course_name)
        stmt = (
            select(TrainingRecord.id, TrainingRecord.user_id, key, TrainingRecord.completion_date)
            .where(
                TrainingRecord.organization_id == self.organization_id,
                TrainingRecord.user_id.in_(users),
                key.in_(keys),
                TrainingRecord.completion_date >= first - timedelta(days=DUPLICATE_DAYS),
                TrainingRecord.completion_date <= last + timedelta(days=DUPLICATE_DAYS),
                TrainingRecord.status != TrainingStatus.CANCELLED,
            )
            .order_by(TrainingRecord.completion_date, TrainingRecord.created_at)
        )
        return [Completion(*row) for row in await self.session.execute(stmt)]

    async def add(self, records: Sequence[TrainingRecord]) -> None:
        """Insert new records."""
        self.session.add_all(records)
        await self.session.flush()

    async def flush(self) -> None:
        """Write the changes made to loaded records."""
        await self.session.flush()
