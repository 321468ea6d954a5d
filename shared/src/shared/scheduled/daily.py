"""Daily work per organization, at a local time of the department's own time zone."""

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from functools import cache
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from shared.scheduled.repository import RunRepository
from shared.scheduled.work import ScheduledJob

DailyWork = Callable[[AsyncSession, UUID, date, datetime], Awaitable[None]]


def daily_per_organization(name: str, at: time, work: DailyWork) -> ScheduledJob:
    """`work(session, organization_id, local_day, now)` once per organization and local day.

    Due from `at` local time until the day ends: an instance that was down at `at` catches up
    when it starts, later that day. A day with no instance running at all is not caught up the
    next day (the next day's run covers the same ground for the daily digests this serves).
    """

    async def due(session: AsyncSession, now: datetime) -> list[str]:
        keys = []
        for organization_id, timezone in await RunRepository(session).organizations():
            local = now.astimezone(department_zone(timezone))
            if local.time() >= at:
                keys.append(f"{local.date().isoformat()}/{organization_id}")
        return keys

    async def run(session: AsyncSession, key: str, now: datetime) -> None:
        day, organization_id = key.split("/")
        await work(session, UUID(organization_id), date.fromisoformat(day), now)

    return ScheduledJob(name=name, due=due, run=run)


@cache
def department_zone(name: str | None) -> ZoneInfo:
    """The department's time zone by its stored name, UTC when unset or unknown."""
    # Settings validate the zone; a row written before that (or by hand) falls back to UTC.
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
