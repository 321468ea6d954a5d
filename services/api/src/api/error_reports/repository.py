"""Queries of the organization's error reports."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, delete, func, select

from shared.db.repository import TenantRepository
from shared.models import ErrorLog

# The most expired reports one new report deletes: a request never does unbounded work, and
# a backlog (after the retention is shortened) is gone after a few reports.
RETENTION_BATCH = 500


class ErrorLogRepository(TenantRepository[ErrorLog]):
    """The caller's organization's error reports."""

    model = ErrorLog

    async def add(self, report: ErrorLog) -> None:
        """Write a report."""
        self.session.add(report)
        await self.session.flush()

    async def delete_created_before(self, cutoff: datetime) -> int:
        """Delete up to `RETENTION_BATCH` of the oldest reports created before `cutoff`.

        The ids are read first on the (organization, created) index: MariaDB takes no LIMIT in
        an IN subquery, and the rows are then deleted by primary key. Returns how many went.
        """
        expired = await self.session.scalars(
            self.scoped()
            .with_only_columns(ErrorLog.id)
            .where(ErrorLog.created_at < cutoff)
            .order_by(ErrorLog.created_at)
            .limit(RETENTION_BATCH)
        )
        ids = expired.all()
        if ids:
            await self.session.execute(
                delete(ErrorLog).where(
                    ErrorLog.organization_id == self.organization_id, ErrorLog.id.in_(ids)
                )
            )
        return len(ids)

    async def page(
        self, *, error_type: str | None, event_id: str | None, skip: int, limit: int
    ) -> tuple[Sequence[ErrorLog], int]:
        """A page of matching reports, newest first, and how many match."""
        stmt = self._matching(error_type, event_id)
        total = await self.session.scalar(
            stmt.with_only_columns(func.count(ErrorLog.id)).order_by(None)
        )
        rows = await self.session.scalars(_newest_first(stmt).offset(skip).limit(limit))
        return rows.all(), int(total or 0)

    async def counts_by_type(self) -> dict[str, int]:
        """How many reports of each type."""
        stmt = (
            select(ErrorLog.error_type, func.count(ErrorLog.id))
            .where(ErrorLog.organization_id == self.organization_id)
            .group_by(ErrorLog.error_type)
        )
        return {error_type: int(count) for error_type, count in await self.session.execute(stmt)}

    async def newest(self, limit: int) -> Sequence[ErrorLog]:
        """The `limit` newest reports."""
        return (await self.session.scalars(_newest_first(self.scoped()).limit(limit))).all()

    def _matching(self, error_type: str | None, event_id: str | None) -> Select[ErrorLog]:
        stmt = self.scoped()
        if error_type is not None:
            stmt = stmt.where(ErrorLog.error_type == error_type)
        if event_id is not None:
            stmt = stmt.where(ErrorLog.event_id == event_id)
        return stmt


def _newest_first(stmt: Select[ErrorLog]) -> Select[ErrorLog]:
    return stmt.order_by(ErrorLog.created_at.desc(), ErrorLog.id.desc())
