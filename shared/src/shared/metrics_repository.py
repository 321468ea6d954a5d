"""The reads metrics make at scrape time: the outbox backlog."""

from datetime import datetime
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models.outbox import OutboxMessage


class OutboxBacklogRepository:
    """Outbox rows waiting to be published (parked ones excluded)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def backlog(self) -> tuple[int, datetime | None]:
        """How many rows wait, and when the oldest of them was written (None when none waits)."""
        stmt = select(func.count(), func.min(OutboxMessage.created_at)).where(
            OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None)
        )
        row = (await self._session.execute(stmt)).one()
        # MIN over no rows is NULL, whatever the column's type says.
        return int(row[0]), cast("datetime | None", row[1])
