"""Hourly work per organization: each clock hour's work once that hour has settled."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from shared.scheduled.repository import RunRepository
from shared.scheduled.work import ScheduledJob

HourlyWork = Callable[[AsyncSession, UUID, datetime, datetime], Awaitable[None]]
HOUR = timedelta(hours=1)
# Hours still run after an outage of every instance; older ones are given up.
CATCH_UP_HOURS = 6


def hourly_per_organization(name: str, settle: timedelta, work: HourlyWork) -> ScheduledJob:
    """`work(session, organization_id, hour_start, now)` once per organization and UTC hour,
    due `settle` after the hour ends (what the hour's rows may still become by then).

    An hour missed while no instance ran is caught up within `CATCH_UP_HOURS`.
    """

    async def due(session: AsyncSession, now: datetime) -> list[str]:
        latest = (now - settle - HOUR).replace(minute=0, second=0, microsecond=0)
        hours = [latest - n * HOUR for n in range(CATCH_UP_HOURS)]
        return [
            f"{hour:%Y-%m-%dT%H}/{organization_id}"
            for organization_id, _ in await RunRepository(session).organizations()
            for hour in hours
        ]

    async def run(session: AsyncSession, key: str, now: datetime) -> None:
        hour, organization_id = key.split("/")
        start = datetime.strptime(hour, "%Y-%m-%dT%H").replace(tzinfo=UTC)
        await work(session, UUID(organization_id), start, now)

    return ScheduledJob(name=name, due=due, run=run)
