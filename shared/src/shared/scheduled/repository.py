"""The SQL of scheduled work: claiming a run, finishing it, counting its failures."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import ColumnElement, CursorResult, Result, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.integrity import ClashError, ClashKind, guarded
from shared.models import Organization, ScheduledRun


class RunRepository:
    """Runs of scheduled jobs, across organizations (the scheduler works for all of them)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def organizations(self) -> list[tuple[UUID, str]]:
        """Every organization with its time zone, for work that is due per organization."""
        rows = await self._session.execute(select(Organization.id, Organization.timezone))
        return [(row[0], row[1]) for row in rows]

    async def not_to_try(self, job: str, keys: Sequence[str], *, held_since: datetime) -> set[str]:
        """Keys of `job` finished, parked, or claimed after `held_since` (their runner is alive)."""
        stmt = select(ScheduledRun.run_key).where(
            ScheduledRun.job == job,
            ScheduledRun.run_key.in_(keys),
            or_(
                ScheduledRun.finished_at.is_not(None),
                ScheduledRun.failed_at.is_not(None),
                ScheduledRun.claimed_at > held_since,
            ),
        )
        return set((await self._session.scalars(stmt)).all())

    async def claim(
        self, job: str, key: str, token: str, *, now: datetime, held_since: datetime
    ) -> bool:
        """Make `token` the runner of (job, key): a new run, or one whose runner stopped."""
        try:
            async with guarded(self._session):
                self._session.add(
                    ScheduledRun(job=job, run_key=key, claimed_by=token, claimed_at=now, attempts=0)
                )
            return True
        except ClashError as clash:
            if clash.kind is not ClashKind.UNIQUE:
                raise
        # The run exists: take it over only if nobody finished it or holds a live claim.
        result = await self._session.execute(
            update(ScheduledRun)
            .where(
                ScheduledRun.job == job,
                ScheduledRun.run_key == key,
                ScheduledRun.finished_at.is_(None),
                ScheduledRun.failed_at.is_(None),
                or_(ScheduledRun.claimed_at.is_(None), ScheduledRun.claimed_at <= held_since),
            )
            .values(claimed_by=token, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        return _matched(result) == 1

    async def finish(self, job: str, key: str, token: str, *, now: datetime) -> bool:
        """Mark the run done, in the work's own transaction; False when the claim was lost."""
        result = await self._session.execute(
            update(ScheduledRun)
            .where(_held(job, key, token), ScheduledRun.finished_at.is_(None))
            .values(finished_at=now, claimed_by=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        )
        return _matched(result) == 1

    async def record_failure(
        self, job: str, key: str, token: str, *, error: str, now: datetime, max_attempts: int
    ) -> bool:
        """Count a failed attempt and release the claim; True when this one parked the run."""
        row = (
            await self._session.execute(
                select(ScheduledRun.attempts).where(_held(job, key, token)).with_for_update()
            )
        ).first()
        if row is None:  # another instance took the run over meanwhile
            return False
        attempts = row[0] + 1
        parked = attempts >= max_attempts
        await self._session.execute(
            update(ScheduledRun)
            .where(_held(job, key, token))
            .values(
                attempts=attempts,
                last_error=error[:500],
                claimed_by=None,
                claimed_at=None,
                failed_at=now if parked else None,
            )
            .execution_options(synchronize_session=False)
        )
        return parked


def _held(job: str, key: str, token: str) -> ColumnElement[bool]:
    return and_(
        ScheduledRun.job == job, ScheduledRun.run_key == key, ScheduledRun.claimed_by == token
    )


def _matched(result: Result[Any]) -> int:
    # Rows the UPDATE matched (SQLAlchemy's MariaDB dialect asks for FOUND_ROWS, not changed).
    return cast(CursorResult[Any], result).rowcount
