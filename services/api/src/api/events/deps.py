"""Dependencies of the events controllers: the events service of each request."""

from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.trail import AuditTrail
from api.deps import COMMON_DEPENDENCIES
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


def provide_events_service(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    audit: NamedDependency[AuditTrail],
) -> EventsService:
    """The caller's events, in the request's transaction, with its audit trail and outbox."""
    org = principal.organization_id
    return EventsService(
        principal=principal,
        events=EventRepository(db_session, org),
        references=ReferenceRepository(db_session, org),
        rsvps=RSVPRepository(db_session, org),
        roster=RosterRepository(db_session, org),
        reports=ReportRepository(db_session, org),
        audit=audit,
        outbox=Outbox(db_session),
    )


EVENTS_DEPENDENCIES = {
    **COMMON_DEPENDENCIES,
    "events": Provide(provide_events_service, sync_to_thread=False),
}
