"""Scheduled work runs each key once however many instances tick, and never again after.

Real databases (MariaDB and SQLite), real concurrency between instances, an injected clock.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db.session import create_engine, create_sessionmaker
from shared.models import Organization, ScheduledRun
from shared.scheduled.daily import daily_per_organization
from shared.scheduled.work import ScheduledJob, ScheduledWork
from tests.support import factories
from tests.support.waiting import wait_for

NOON = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture(params=["mariadb", "sqlite"])
async def sessions(
    request: pytest.FixtureRequest, migrated_mariadb: str, migrated_sqlite_url: str
) -> AsyncIterator[Sessions]:
    url = migrated_mariadb if request.param == "mariadb" else migrated_sqlite_url
    engine = create_engine(url)
    yield create_sessionmaker(engine)
    await engine.dispose()


class Recorder:
    """A job over keys of its own: records each run, and writes a row in the run's transaction."""

    def __init__(self, keys: list[str], *, fail: bool = False) -> None:
        self.name = f"test.{uuid.uuid4().hex[:12]}"
        self.keys = keys
        self.fail = fail
        self.runs: list[str] = []
        self.first_run_waits = False
        self.release = asyncio.Event()

    def job(self) -> ScheduledJob:
        async def due(_session: AsyncSession, _now: datetime) -> list[str]:
            return self.keys

        async def run(session: AsyncSession, key: str, _now: datetime) -> None:
            self.runs.append(key)
            number = len(self.runs)
            if number == 1 and self.first_run_waits:
                await self.release.wait()
            session.add(Organization(name=f"Run {number}", slug=f"{self.name}-{key}-{number}"))
            await session.flush()
            if self.fail:
                raise RuntimeError("the job failed")

        return ScheduledJob(name=self.name, due=due, run=run)


def work(
    sessions: Sessions, job: ScheduledJob, at: datetime = NOON, **options: object
) -> ScheduledWork:
    return ScheduledWork(sessions, [job], clock=lambda: at, **options)  # type: ignore[arg-type]


async def runs_of(sessions: Sessions, recorder: Recorder) -> dict[str, ScheduledRun]:
    async with sessions() as session:
        rows = await session.scalars(select(ScheduledRun).where(ScheduledRun.job == recorder.name))
        return {row.run_key: row for row in rows}


async def made(sessions: Sessions, recorder: Recorder) -> list[str]:
    """Slugs of the rows the recorder's runs committed."""
    async with sessions() as session:
        slugs = await session.scalars(
            select(Organization.slug).where(Organization.slug.startswith(recorder.name))
        )
        return sorted(slugs)


class TestOncePerKey:
    async def test_instances_ticking_at_once_run_each_key_once(self, sessions: Sessions) -> None:
        recorder = Recorder(["a", "b", "c", "d"])
        instances = [work(sessions, recorder.job()) for _ in range(3)]

        finished = await asyncio.gather(*(instance.tick() for instance in instances))

        assert sum(finished) == 4
        assert sorted(recorder.runs) == ["a", "b", "c", "d"]
        assert len(await made(sessions, recorder)) == 4
        runs = await runs_of(sessions, recorder)
        assert all(run.finished_at is not None and run.claimed_by is None for run in runs.values())

    async def test_a_restarted_instance_does_not_run_it_again(self, sessions: Sessions) -> None:
        recorder = Recorder(["once"])
        assert await work(sessions, recorder.job()).tick() == 1

        restarted = work(sessions, recorder.job(), at=NOON + timedelta(hours=3))
        assert await restarted.tick() == 0
        assert recorder.runs == ["once"]


class TestFailures:
    async def test_a_failed_run_leaves_nothing_is_retried_then_parked(
        self, sessions: Sessions
    ) -> None:
        recorder = Recorder(["k"], fail=True)
        instance = work(sessions, recorder.job(), max_attempts=2)

        assert await instance.tick() == 0
        first = (await runs_of(sessions, recorder))["k"]
        assert (first.attempts, first.failed_at, first.finished_at) == (1, None, None)
        assert first.last_error == "RuntimeError: the job failed"
        assert await made(sessions, recorder) == []  # the work rolled back with the failure

        assert await instance.tick() == 0
        parked = (await runs_of(sessions, recorder))["k"]
        assert parked.attempts == 2
        assert parked.failed_at is not None

        assert await instance.tick() == 0  # parked: not tried again
        assert recorder.runs == ["k", "k"]

    async def test_a_stopped_instances_run_is_taken_over_after_the_lease(
        self, sessions: Sessions
    ) -> None:
        recorder = Recorder(["k"])
        recorder.first_run_waits = True  # the first instance hangs, holding its claim
        stalled = asyncio.create_task(work(sessions, recorder.job()).tick())
        await wait_for(lambda: recorder.runs == ["k"], what="the first run started")

        within_lease = work(sessions, recorder.job(), at=NOON + timedelta(minutes=9))
        assert await within_lease.tick() == 0
        after_lease = work(sessions, recorder.job(), at=NOON + timedelta(minutes=11))
        assert await after_lease.tick() == 1

        # The first instance wakes up past its lease: its finish is refused, its work undone.
        recorder.release.set()
        assert await stalled == 0
        assert recorder.runs == ["k", "k"]
        assert await made(sessions, recorder) == [f"{recorder.name}-k-2"]


class TestLoop:
    async def test_the_started_loop_ticks_until_stopped(self, sessions: Sessions) -> None:
        recorder = Recorder(["loop"])
        instance = work(sessions, recorder.job(), tick_seconds=0.05)
        instance.start()
        try:
            for _ in range(250):  # the run commits a moment after the work returns
                run = (await runs_of(sessions, recorder)).get("loop")
                if run is not None and run.finished_at is not None:
                    break
                await asyncio.sleep(0.02)
            else:
                pytest.fail("the loop did not finish the run")
        finally:
            await instance.stop()
        assert recorder.runs == ["loop"]  # later ticks found it done


class TestDailyPerOrganization:
    async def due_keys(self, sessions: Sessions, at: datetime) -> list[str]:
        async def nothing(*_args: object) -> None:
            return None

        job = daily_per_organization("test.daily", time(7, 0), nothing)
        async with sessions() as session:
            return list(await job.due(session, at))

    async def test_due_from_the_local_time_in_the_departments_zone(
        self, sessions: Sessions
    ) -> None:
        async with sessions() as session, session.begin():
            chicago = await factories.organization(session, timezone="America/Chicago")
            tokyo = await factories.organization(session, timezone="Asia/Tokyo")
            unknown = await factories.organization(session, timezone="Mars/Olympus")

        # 12:59 UTC is 06:59 in Chicago; Tokyo's 21:59; UTC's (the unknown zone's) 12:59.
        before = await self.due_keys(sessions, datetime(2026, 12, 5, 12, 59, tzinfo=UTC))
        assert f"2026-12-05/{chicago.id}" not in before
        assert f"2026-12-05/{tokyo.id}" in before
        assert f"2026-12-05/{unknown.id}" in before

        # 23:00 UTC is already the 6th in Tokyo.
        late = await self.due_keys(sessions, datetime(2026, 12, 5, 23, 0, tzinfo=UTC))
        assert f"2026-12-05/{chicago.id}" in late
        assert f"2026-12-06/{tokyo.id}" in late

    async def test_the_work_gets_the_organization_and_its_local_day(
        self, sessions: Sessions
    ) -> None:
        seen: list[tuple[uuid.UUID, date]] = []

        async def remember(
            _s: AsyncSession, organization_id: uuid.UUID, day: date, _n: datetime
        ) -> None:
            seen.append((organization_id, day))

        async with sessions() as session, session.begin():
            tokyo = await factories.organization(session, timezone="Asia/Tokyo")
        job = daily_per_organization("test.daily", time(7, 0), remember)
        async with sessions() as session:
            await job.run(session, f"2026-12-06/{tokyo.id}", NOON)
        assert seen == [(tokyo.id, date(2026, 12, 6))]
