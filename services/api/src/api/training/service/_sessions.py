"""Training sessions (issue 14 item 4, spec training.md §7): a session and its `training` event
created together, and its finalize into completed records."""

from datetime import date
from typing import Any
from uuid import UUID

from api.training.dates import add_months
from api.training.errors import (
    CategoryNotFoundError,
    SessionNotFoundError,
    TrainingRuleError,
)
from api.training.schemas import SessionCreate, SessionFinalized, SessionRead
from api.training.service._base import TrainingServiceBase
from api.training.service._bridge import session_record_fields
from api.training.service._shapes import completed, record_facts
from api.training.session_hours import session_hours
from shared.db.types import utc_now
from shared.events.contracts.events import EventCreated
from shared.events.contracts.training import RecordCreated, RecordUpdated
from shared.models import (
    Event,
    EventRSVP,
    EventType,
    TrainingCourse,
    TrainingRecord,
    TrainingSession,
    TrainingStatus,
    TrainingType,
)
from shared.scheduled.daily import department_zone

# A new session's event reminds the members going a day before, as a new event does (events §2).
REMINDER_HOURS = [24]
FINALIZED_FIELDS = ["status", "completion_date", "hours_completed", "expiration_date"]


def session_read(session: TrainingSession) -> SessionRead:
    """The session as the API answers it."""
    return SessionRead(
        id=session.id,
        organization_id=session.organization_id,
        event_id=session.event_id,
        course_id=session.course_id,
        course_name=session.course_name,
        category_id=session.category_id,
        training_type=session.training_type,
        credit_hours=session.credit_hours,
        instructor=session.instructor,
        issues_certification=session.issues_certification,
        expiration_months=session.expiration_months,
        issuing_agency=session.issuing_agency,
        auto_create_records=session.auto_create_records,
        finalized_at=session.finalized_at,
        created_by=session.created_by,
        created_at=session.created_at,
        updated_at=session.updated_at,
    )


def course_fields(request: SessionCreate, course: TrainingCourse | None) -> dict[str, Any]:
    """The session's course facts: as sent, else the course's (free-text courses default to
    continuing education)."""
    sent = {
        "course_id": request.course_id,
        "course_name": request.course_name,
        "training_type": request.training_type,
        "credit_hours": request.credit_hours,
        "instructor": request.instructor,
        "expiration_months": request.expiration_months,
    }
    fallback: dict[str, Any] = {"training_type": TrainingType.CONTINUING_EDUCATION}
    if course is not None:
        fallback = {
            "course_name": course.name,
            "training_type": course.training_type,
            "credit_hours": course.credit_hours,
            "instructor": course.instructor,
            "expiration_months": course.expiration_months,
        }
    return {key: fallback.get(key) if value is None else value for key, value in sent.items()}


def complete(record: TrainingRecord, session: TrainingSession, row: EventRSVP, day: date) -> None:
    """The record completed on the event's date with the session's hours (§7); a certifying
    session also sets the expiration from its months and the issuing agency [fix]."""
    record.status = TrainingStatus.COMPLETED
    record.completion_date = day
    record.hours_completed = session_hours(row, session.credit_hours)
    if session.issues_certification:
        months = session.expiration_months
        record.expiration_date = add_months(day, months) if months else None
        record.issuing_agency = session.issuing_agency


class SessionTopic(TrainingServiceBase):
    """Officers schedule training sessions members check into, then finalize them."""

    async def create_session(self, request: SessionCreate) -> SessionRead:
        """The session and its published `training` event in one transaction; the course, when
        named, fills the session's fields the body leaves out. 404 for a course or category
        not the organization's."""
        course = await self._course(request.course_id) if request.course_id else None
        if request.category_id is not None and not await self.categories.known(
            {request.category_id}
        ):
            raise CategoryNotFoundError
        event = Event(
            organization_id=self.principal.organization_id,
            title=request.title,
            description=request.description,
            event_type=EventType.TRAINING,
            start_datetime=request.start_datetime,
            end_datetime=request.end_datetime,
            location=request.location,
            reminder_schedule=list(REMINDER_HOURS),
            created_by=self.principal.user_id,
            updated_by=self.principal.user_id,
        )
        await self.session_events.add(event)
        session = TrainingSession(
            organization_id=self.principal.organization_id,
            event_id=event.id,
            category_id=request.category_id,
            issues_certification=request.issues_certification,
            issuing_agency=request.issuing_agency,
            auto_create_records=request.auto_create_records,
            created_by=self.principal.user_id,
            **course_fields(request, course),
        )
        await self.sessions.add(session)
        await self._record(
            "training_session_created",
            session_id=str(session.id),
            event_id=str(event.id),
            course_name=session.course_name,
        )
        self._publish(
            EventCreated(
                event_id=event.id,
                title=event.title,
                event_type=EventType.TRAINING.value,
                start_datetime=event.start_datetime,
                end_datetime=event.end_datetime,
            )
        )
        return session_read(session)

    async def finalize_session(self, session_id: UUID) -> SessionFinalized:
        """Complete the records of every member checked in to the session's event (made now
        if a check-in's record is still to come) with the hours of §7, once. 400 before the
        event ended, for a cancelled event, with nobody checked in, or a second time."""
        session = await self.sessions.get_for_update(session_id)
        if session is None:
            raise SessionNotFoundError
        if session.finalized_at is not None:
            raise TrainingRuleError("Training session is already finalized")
        event = await self.session_events.get(session.event_id)
        if event is None:
            raise SessionNotFoundError
        if event.is_cancelled:
            raise TrainingRuleError("The session's event is cancelled")
        now = utc_now()
        if (event.actual_end_time or event.end_datetime) > now:
            raise TrainingRuleError("The session's event has not ended yet")
        present = await self.session_events.checked_in(event.id)
        if not present:
            raise TrainingRuleError("Nobody checked in to the session")
        organization = await self.members.organization()
        zone = department_zone(organization.timezone if organization else None)
        day = event.start_datetime.astimezone(zone).date()
        profiles = await self.members.profiles(row.user_id for row in present)
        done: list[TrainingRecord] = []
        for row in present:
            member = profiles.get(row.user_id)
            if member is None:  # no longer the organization's member
                continue
            fields = session_record_fields(session, member, day, created_by=self.principal.user_id)
            record, created = await self.session_records.ensure(fields)
            if created:
                self._publish(RecordCreated(**record_facts(record)))
            if record.status is TrainingStatus.CANCELLED:  # a voided record stays voided
                continue
            complete(record, session, row, day)
            done.append(record)
        session.finalized_at = now
        await self.sessions.flush()
        await self._record(
            "training_session_finalized",
            session_id=str(session.id),
            event_id=str(event.id),
            completed_count=len(done),
        )
        for record in done:
            self._publish(RecordUpdated(**record_facts(record), changed_fields=FINALIZED_FIELDS))
            self._publish(completed(record))
        return SessionFinalized(
            session_id=session.id,
            event_id=event.id,
            completion_date=day,
            completed_count=len(done),
            record_ids=[record.id for record in done],
        )
