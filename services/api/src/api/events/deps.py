"""Dependencies of the events controllers: the events service of each request."""

from collections.abc import Sequence
from functools import partial
from uuid import UUID

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.audit.trail import AuditTrail
from api.deps import COMMON_DEPENDENCIES
from api.events.calendar_view import Answers, OrganizationCalendar
from api.events.repository import (
    EventRepository,
    ReferenceRepository,
    ReportRepository,
    RosterRepository,
    RSVPRepository,
)
from api.events.service import EventsService
from shared.events.outbox import Outbox
from shared.principal import Principal


async def calendar_apart(
    sessionmaker: async_sessionmaker[AsyncSession], organization_id: UUID
) -> Sequence[RowMapping]:
    """The calendar's rows, read in a session of their own: other lists may share the load."""
    async with sessionmaker() as session:
        return await EventRepository(session, organization_id).calendar()


async def answers_apart(
    sessionmaker: async_sessionmaker[AsyncSession], organization_id: UUID, user_id: UUID
) -> Answers:
    """A member's own statuses, read in a session of their own (other lists may share it)."""
    async with sessionmaker() as session:
        return await EventRepository(session, organization_id).answers(user_id)


def provide_events_service(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    audit: NamedDependency[AuditTrail],
) -> EventsService:
    """The caller's events, in the request's transaction, with its audit trail and outbox."""
    org = principal.organization_id
    state = request.app.state
    calendar = OrganizationCalendar(
        calendars=state.events_calendars,
        organization_id=org,
        load_events=partial(calendar_apart, state.sessionmaker, org),
        load_answers=partial(answers_apart, state.sessionmaker, org),
    )
    return EventsService(
        principal=principal,
        events=EventRepository(db_session, org),
        references=ReferenceRepository(db_session, org),
        rsvps=RSVPRepository(db_session, org),
        roster=RosterRepository(db_session, org),
        reports=ReportRepository(db_session, org),
        audit=audit,
        outbox=Outbox(db_session),
        calendar=calendar,
    )


EVENTS_DEPENDENCIES = {
    **COMMON_DEPENDENCIES,
    "events": Provide(provide_events_service, sync_to_thread=False),
}
