"""Scheduled work: jobs that every instance ticks, and that run once per key however many tick.

A job names the keys due at a moment (an organization's day, an event's reminder) and the work
for one key. Each tick, an instance claims the due keys nobody finished or holds, in a short
transaction of its own, then runs each claimed key's work in one transaction that also marks
the run finished: the work and its proof commit together or not at all. A claim outlives its
instance by at most the lease; after that another instance takes the run over, and the first
one's late finish is refused and rolled back. A run that fails is retried at the next ticks and
parked after `max_attempts` with one error line. Restarts lose nothing and repeat nothing: the
runs are rows.
"""

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import uuid4

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, wait_exponential

from shared.background import BackgroundLoop
from shared.db.types import utc_now
from shared.retry import log_retry
from shared.scheduled.repository import RunRepository

log = structlog.get_logger("shared.scheduled")

TICK_SECONDS = 30.0
LEASE = timedelta(minutes=10)  # longer than any job's run; a stopped instance's runs wait this
MAX_ATTEMPTS = 5

DueKeys = Callable[[AsyncSession, datetime], Awaitable[Sequence[str]]]
RunKey = Callable[[AsyncSession, str, datetime], Awaitable[None]]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class ScheduledJob:
    """A job: its name (unique), the keys due at a moment, and the work for one key."""

    name: str
    due: DueKeys
    run: RunKey


class LostClaimError(Exception):
    """Another instance took the run over (this one outlived its lease): its work rolls back."""


class ScheduledWork(BackgroundLoop):
    """Ticks the jobs every `tick_seconds` (jittered, so instances spread out)."""

    task_name = "scheduled-work"

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        jobs: Sequence[ScheduledJob],
        *,
        clock: Clock = utc_now,
        tick_seconds: float = TICK_SECONDS,
        lease: timedelta = LEASE,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        super().__init__()
        self._sessionmaker = sessionmaker
        self._jobs = tuple(jobs)
        self._clock = clock
        self._tick_seconds = tick_seconds
        self._lease = lease
        self._max_attempts = max_attempts

    async def _run(self) -> None:
        # A tick fails as a whole only when the database does; it is retried with backoff.
        retrying = AsyncRetrying(
            wait=wait_exponential(multiplier=1, max=self._tick_seconds),
            before_sleep=log_retry(log.warning, "scheduled.tick_backoff"),
        )
        while True:
            await retrying(self.tick)
            await asyncio.sleep(self._tick_seconds * random.uniform(0.8, 1.2))  # noqa: S311

    async def tick(self) -> int:
        """Run what is due now and claimable; returns how many runs this instance finished."""
        now = self._clock()
        finished = 0
        for job in self._jobs:
            for key in await self._claimable(job, now):
                finished += await self._run_claimed(job, key, now)
        return finished

    async def _claimable(self, job: ScheduledJob, now: datetime) -> list[str]:
        async with self._sessionmaker() as session:
            keys = list(dict.fromkeys(await job.due(session, now)))
            if not keys:
                return []
            skip = await RunRepository(session).not_to_try(
                job.name, keys, held_since=now - self._lease
            )
        return [key for key in keys if key not in skip]

    async def _run_claimed(self, job: ScheduledJob, key: str, now: datetime) -> int:
        token = uuid4().hex
        async with self._sessionmaker() as session, session.begin():
            claimed = await RunRepository(session).claim(
                job.name, key, token, now=now, held_since=now - self._lease
            )
        if not claimed:
            return 0
        try:
            async with self._sessionmaker() as session, session.begin():
                await job.run(session, key, now)
                if not await RunRepository(session).finish(job.name, key, token, now=now):
                    raise LostClaimError
        except LostClaimError:
            log.warning("scheduled.claim_lost", job=job.name, key=key)
            return 0
        except Exception as exc:  # noqa: BLE001 - a job's failure is counted, retried or parked
            await self._record_failure(job, key, token, exc)
            return 0
        log.info("scheduled.finished", job=job.name, key=key)
        return 1

    async def _record_failure(
        self, job: ScheduledJob, key: str, token: str, exc: Exception
    ) -> None:
        async with self._sessionmaker() as session, session.begin():
            parked = await RunRepository(session).record_failure(
                job.name,
                key,
                token,
                error=f"{type(exc).__name__}: {exc}",
                now=self._clock(),
                max_attempts=self._max_attempts,
            )
        if parked:
            log.error("scheduled.parked", job=job.name, key=key, exc_info=exc)
        else:
            log.warning("scheduled.failed", job=job.name, key=key, error=type(exc).__name__)
