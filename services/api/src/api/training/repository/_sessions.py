"""Queries of training sessions (issue 14 item 4, spec training.md §7): the sessions, the one
place the training area writes the events table (a session's `training` event), the attendance
it reads back, and the session's records, one per member.

Training never calls the events area's code: it writes and reads the shared models here.
"""

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import select
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shared.db.repository import TenantRepository
from shared.models import Event, EventRSVP, TrainingRecord, TrainingSession


class SessionRepository(TenantRepository[TrainingSession]):
    """The caller's organization's training sessions."""

    model = TrainingSession

    async def of_event(self, event_id: UUID) -> TrainingSession | None:
        """The session whose event this is, if any (one per event)."""
        stmt = self.scoped().where(TrainingSession.event_id == event_id)
        return (await self.session.scalars(stmt)).first()

    async def get_for_update(self, session_id: UUID) -> TrainingSession | None:
        """The session, locked until commit and read afresh: finalizes queue here."""
        stmt = (
            self.scoped()
            .where(TrainingSession.id == session_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).first()

    async def add(self, session: TrainingSession) -> None:
        """Insert a new session."""
        self.session.add(session)
        await self.session.flush()

    async def flush(self) -> None:
        """Write the changes made to loaded sessions."""
        await self.session.flush()


class SessionEventRepository(TenantRepository[Event]):
    """A session's calendar event and its attendance, on the events area's models."""

    model = Event

    async def add(self, event: Event) -> None:
        """Insert the session's new event."""
        self.session.add(event)
        await self.session.flush()

    async def checked_in(self, event_id: UUID) -> Sequence[EventRSVP]:
        """The event's attendance rows of members who checked in, by member."""
        stmt = (
            select(EventRSVP)
            .where(
                EventRSVP.organization_id == self.organization_id,
                EventRSVP.event_id == event_id,
                EventRSVP.checked_in.is_(True),
            )
            .order_by(EventRSVP.user_id)
        )
        return (await self.session.scalars(stmt)).all()


class SessionRecordRepository(TenantRepository[TrainingRecord]):
    """The records of training sessions: one per member and session (its unique key)."""

    model = TrainingRecord

    async def ensure(self, fields: dict[str, Any]) -> tuple[TrainingRecord, bool]:
        """The member's record of the session, locked until commit, inserted from `fields`
        (which name the session and the member) when missing; and whether it is new.

        One upsert, never insert-then-catch: a check-in delivered twice and a finalize that
        meets a delivery insert the same key, and an upsert takes the row's exclusive lock at
        once where two plain inserts colliding deadlock on MariaDB.
        """
        new_id = uuid4()
        values = {**fields, "id": new_id, "organization_id": self.organization_id}
        if self.session.get_bind().dialect.name in ("mysql", "mariadb"):
            upsert = mysql_insert(TrainingRecord).values(values)
            keep = upsert.on_duplicate_key_update(user_id=upsert.table.c.user_id)
            await self.session.execute(keep)
        else:
            await self.session.execute(
                sqlite_insert(TrainingRecord).values(values).on_conflict_do_nothing()
            )
        (record,) = await self.of_session(fields["training_session_id"], [fields["user_id"]])
        return record, record.id == new_id

    async def of_session(
        self, session_id: UUID, user_ids: Iterable[UUID]
    ) -> Sequence[TrainingRecord]:
        """The session's records of these members, locked until commit and read afresh."""
        stmt = (
            self.scoped()
            .where(
                TrainingRecord.training_session_id == session_id,
                TrainingRecord.user_id.in_(set(user_ids)),
            )
            .order_by(TrainingRecord.user_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).all()

    async def flush(self) -> None:
        """Write the changes made to loaded records."""
        await self.session.flush()
