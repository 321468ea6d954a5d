"""The event bridge (issue 14 item 4, spec training.md §7, events.md §6): what the calendar's
check-ins and finalized attendance do to a training session's records.

Fed by the consumer of `logbook.api.event.*` (`api/training/from_events.py`), never called by
the events area. Every check-in path makes the member's `in_progress` record of the session
once (§6 [fix]); the event's finalize gives that record its hours while it has none.
Idempotent on (member, session) by the records' unique key, so a redelivered event or a second
check-in changes nothing.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import structlog

from api.training.repository import (
    MemberProfile,
    MemberRepository,
    SessionRecordRepository,
    SessionRepository,
)
from api.training.service._shapes import record_facts
from api.training.session_hours import hours_of
from shared.events.contracts.events import AttendanceFinalized, CheckedIn
from shared.events.contracts.training import RecordCreated, RecordUpdated
from shared.events.envelope import EventData
from shared.events.outbox import Outbox
from shared.models import TrainingRecord, TrainingSession, TrainingStatus

log = structlog.get_logger("api.training")


def session_record_fields(
    session: TrainingSession, member: MemberProfile, local_date: date, created_by: UUID
) -> dict[str, Any]:
    """A new record of the session for the member: `in_progress`, no hours yet, the course
    and its facts from the session, scheduled on the event's local date (events.md §6), the
    issuing agency when the session certifies, rank and station from the member's profile."""
    return {
        "training_session_id": session.id,
        "user_id": member.id,
        "course_id": session.course_id,
        "category_id": session.category_id,
        "course_name": session.course_name,
        "training_type": session.training_type,
        "scheduled_date": local_date,
        "hours_completed": 0.0,
        "credit_hours": session.credit_hours,
        "instructor": session.instructor,
        "issuing_agency": session.issuing_agency if session.issues_certification else None,
        "status": TrainingStatus.IN_PROGRESS,
        "rank_at_completion": member.rank,
        "station_at_completion": member.station,
        "created_by": created_by,
    }


@dataclass
class SessionBridge:
    """One delivery's work on the sessions of one organization, in the consumer's transaction."""

    organization_id: UUID
    actor_id: UUID | None
    sessions: SessionRepository
    records: SessionRecordRepository
    members: MemberRepository
    outbox: Outbox

    async def checked_in(self, mark: CheckedIn) -> TrainingRecord | None:
        """The member's record of the event's session, made `in_progress` on their first
        check-in when the session creates records; None when there is none to make."""
        session = await self.sessions.of_event(mark.event_id)
        if session is None or not session.auto_create_records:
            return None
        return await self._ensure(session, mark.user_id, mark.local_date)

    async def attendance_finalized(self, attendance: AttendanceFinalized) -> int:
        """Hours from each member's finalized minutes on their record of the session while it
        has none (a voided record stays as it is); how many records changed."""
        session = await self.sessions.of_event(attendance.event_id)
        if session is None:
            return 0
        minutes = {
            row.user_id: row.minutes
            for row in attendance.attendees
            if row.check_in is not None and row.minutes is not None
        }
        if session.auto_create_records:
            # A check-in whose delivery is still to come: the record is made here first.
            for user_id in sorted(minutes):
                await self._ensure(session, user_id, attendance.local_date)
        changed = 0
        for record in await self.records.of_session(session.id, minutes):
            hours = hours_of(minutes[record.user_id])
            if record.status is TrainingStatus.CANCELLED or record.hours_completed or not hours:
                continue
            record.hours_completed = hours
            await self.records.flush()
            self._publish(RecordUpdated(**record_facts(record), changed_fields=["hours_completed"]))
            changed += 1
        return changed

    async def _ensure(
        self, session: TrainingSession, user_id: UUID, local_date: date
    ) -> TrainingRecord | None:
        member = (await self.members.profiles({user_id})).get(user_id)
        if member is None:
            log.info("training.bridge_member_unknown", session_id=str(session.id))
            return None
        # The record is the member's own doing (a check-in), as in the original.
        fields = session_record_fields(session, member, local_date, created_by=user_id)
        record, created = await self.records.ensure(fields)
        if created:
            self._publish(RecordCreated(**record_facts(record)))
            log.info("training.session_record_created", session_id=str(session.id))
        return record

    def _publish(self, data: EventData) -> None:
        self.outbox.add(data, organization_id=self.organization_id, actor_id=self.actor_id)
