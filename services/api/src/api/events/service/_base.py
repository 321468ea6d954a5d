"""The events service's fields and what its topics share: lookups that 404, audit, events."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from api.audit.trail import AuditTrail
from api.events.calendar_view import OrganizationCalendar
from api.events.errors import EventCancelledError, EventNotFoundError
from api.events.permissions import MANAGE
from api.events.repository import (
    EventRepository,
    ReferenceRepository,
    ReportRepository,
    RosterRepository,
    RSVPRepository,
)
from shared.events.envelope import EventData
from shared.events.outbox import Outbox
from shared.models import Event, EventType
from shared.permissions import grants
from shared.principal import Principal
from shared.scheduled.daily import department_zone

AUDIT_CATEGORY = "events"


@dataclass
class EventsServiceBase:
    """One request's caller, repositories, audit trail and outbox, all in its transaction.

    Lock order of every events flow: the event (several in id order), then the location being
    booked, then its RSVP rows, the audit trail last. A booking check makes no plain read
    before the location's lock (`EventRepository.location_clashes`).
    """

    principal: Principal
    events: EventRepository
    references: ReferenceRepository
    rsvps: RSVPRepository
    roster: RosterRepository
    reports: ReportRepository
    audit: AuditTrail
    outbox: Outbox
    calendar: OrganizationCalendar

    @property
    def manages(self) -> bool:
        """Whether the caller holds `events.manage` (drafts are theirs to see)."""
        return grants(self.principal.permissions, MANAGE)

    def _publish(self, data: EventData) -> None:
        """Queue an event in the request's transaction, on behalf of the caller; this
        instance's calendar is dropped as it commits, if the event may change a list."""
        self.outbox.add(
            data, organization_id=self.principal.organization_id, actor_id=self.principal.user_id
        )

    async def _record(self, event_type: str, **data: Any) -> None:
        """An audit entry of the events category for this request's caller."""
        await self.audit.record(event_type, AUDIT_CATEGORY, "info", **data)

    async def _event(self, event_id: UUID) -> Event:
        """The event, drafts included (a manager's read); 404 when unknown or foreign."""
        found = await self.events.get(event_id)
        if found is None:
            raise EventNotFoundError
        return found

    async def _visible_event(self, event_id: UUID) -> Event:
        """The event as the caller may see it (`_shown`)."""
        return self._shown(await self._event(event_id))

    def _shown(self, event: Event) -> Event:
        """The event, unless it is a draft and the caller no manager: a draft is unknown to
        members on every read and action (§4.1 [fix])."""
        if event.is_draft and not self.manages:
            raise EventNotFoundError
        return event

    async def _locked_event(self, event_id: UUID) -> Event:
        """The event, locked until commit and read afresh."""
        found = await self.events.lock(event_id)
        if found is None:
            raise EventNotFoundError
        return found

    async def _open_event(self, event_id: UUID) -> Event:
        """The event locked for a change that a cancelled event refuses (§8.9)."""
        return not_cancelled(await self._locked_event(event_id))

    async def _zone(self) -> ZoneInfo:
        """The department's time zone (UTC when unset or unknown)."""
        organization = await self.references.organization()
        return department_zone(organization.timezone if organization else None)


def not_cancelled(event: Event) -> Event:
    """The event, unless it is cancelled: it cannot be edited, checked into or ended (§8.9)."""
    if event.is_cancelled:
        raise EventCancelledError
    return event


def event_type_of(event: Event) -> EventType:
    """The event's type; a stored null reads as `other` (§2)."""
    return event.event_type or EventType.OTHER
