"""Listing, reading, creating, editing, publishing, cancelling and deleting events
(spec events.md §4.1, §4.2)."""

from dataclasses import replace
from uuid import UUID

import msgspec

from api.events.calendar_view import list_item
from api.events.errors import (
    EventInUseError,
    EventRuleError,
    OrganizationNotFoundError,
)
from api.events.repository import EventCounts
from api.events.schemas import (
    CancelRequest,
    EventCreate,
    EventFilters,
    EventListItem,
    EventResponse,
    EventUpdate,
    VisibleEventTypes,
)
from api.events.service._booking import Booking
from api.events.service._rules import check_times, event_facts, new_event_fields, stored
from api.events.visible_types import visible_event_types
from shared.db.integrity import ClashError
from shared.db.types import utc_now
from shared.events.contracts.events import (
    EventCancelled,
    EventCreated,
    EventDeleted,
    EventPublished,
    EventUpdated,
)
from shared.models import Event

# Changes the `going`/`maybe` members are told about (§4.2, §8.11).
SIGNIFICANT = frozenset({"title", "start_datetime", "end_datetime", "location", "location_id"})
BOOKING = frozenset({"location_id", "start_datetime", "end_datetime"})


class CalendarTopic(Booking):
    """One-off events: the calendar list, detail, and their lifecycle."""

    async def list_events(
        self, filters: EventFilters, *, skip: int, limit: int
    ) -> list[EventListItem]:
        """A page of events by start, with counts and the caller's status; drafts only for
        managers who ask for them (§4.1 [fix]). From this instance's calendar, but for a custom
        category: the database matches it in any case and accent, which memory does not copy."""
        if filters.include_drafts and not self.manages:
            filters = replace(filters, include_drafts=False)
        caller = self.principal.user_id
        if filters.custom_category is None:
            return await self.calendar.page(filters, caller, skip=skip, limit=limit)
        rows = await self.events.list_page(filters, caller, skip=skip, limit=limit)
        return [list_item(row) for row in rows]

    async def visible_event_types(self) -> VisibleEventTypes:
        """The organization's event tabs and categories, and its membership tiers (§4.1)."""
        organization = await self.references.organization()
        if organization is None:
            raise OrganizationNotFoundError
        return visible_event_types(organization.settings)

    async def get_event(self, event_id: UUID) -> EventResponse:
        """One event with its counts and the caller's status; drafts 404 for members."""
        event = await self._visible_event(event_id)
        counts = await self.events.counts([event.id], self.principal.user_id)
        return await self._response(event, counts.get(event.id, EventCounts()))

    async def create_event(self, request: EventCreate) -> EventResponse:
        """Schedule an event, its location checked and booked under the location's lock."""
        check_times(
            request.start_datetime,
            request.end_datetime,
            request.rsvp_deadline,
            rsvp=request.requires_rsvp,
        )
        if request.location_id is not None:
            await self._book(request.location_id, request.start_datetime, request.end_datetime)
        fields = new_event_fields(request)
        event = Event(
            organization_id=self.principal.organization_id,
            created_by=self.principal.user_id,
            updated_by=self.principal.user_id,
            **fields,
        )
        await self.events.add([event])
        await self._record(
            "event_created", event_id=str(event.id), title=event.title, is_draft=event.is_draft
        )
        self._publish(EventCreated(**event_facts(event), is_draft=event.is_draft))
        return await self._response(event)

    async def update_event(self, event_id: UUID, request: EventUpdate) -> EventResponse:
        """Change the fields sent (§4.2): times checked on the merged values, the location's
        ownership and booking again, excluding the event itself."""
        sent = {
            key: stored(value)
            for key, value in msgspec.structs.asdict(request).items()
            if value is not msgspec.UNSET
        }
        # The event, then its location (the events' lock order), before any plain read: the
        # booking check's snapshot must be taken under the location's lock.
        event = await self._open_event(event_id)
        location_id = sent.get("location_id", event.location_id)
        if location_id is not None:
            await self._lock_location(location_id)
        changed = sorted(key for key, value in sent.items() if getattr(event, key) != value)
        start = sent.get("start_datetime", event.start_datetime)
        end = sent.get("end_datetime", event.end_datetime)
        check_times(
            start,
            end,
            sent.get("rsvp_deadline", event.rsvp_deadline),
            rsvp=sent.get("requires_rsvp", event.requires_rsvp),
        )
        if location_id is not None and BOOKING & set(changed):
            await self._refuse_clashes(location_id, start, end, excluding=event.id)
        if not changed:
            return await self._response(event)
        for key in changed:
            setattr(event, key, sent[key])
        event.updated_by = self.principal.user_id
        await self.events.flush()
        significant = bool(SIGNIFICANT & set(changed))
        told = await self.references.holders(event.id) if significant else []
        await self._record(
            "event_updated", event_id=str(event.id), title=event.title, fields_changed=changed
        )
        self._publish(
            EventUpdated(
                **event_facts(event),
                changed_fields=changed,
                significant=significant,
                recipient_ids=told,
            )
        )
        return await self._response(event)

    async def delete_event(self, event_id: UUID) -> None:
        """Delete the event with its RSVPs and history (§4.2); 409 while other rows need it."""
        event = await self._locked_event(event_id)
        facts = event_facts(event)
        try:
            await self.events.delete([event])
        except ClashError as exc:
            raise EventInUseError(clash=str(exc)) from exc
        await self._record("event_deleted", event_id=str(event_id), title=facts["title"])
        self._publish(EventDeleted(**facts))

    async def publish_event(self, event_id: UUID) -> EventResponse:
        """Publish a draft (400 when it is not one)."""
        event = await self._locked_event(event_id)
        if not event.is_draft:
            raise EventRuleError("Event is not a draft")
        event.is_draft = False
        event.updated_by = self.principal.user_id
        await self.events.flush()
        await self._record("event_published", event_id=str(event.id), title=event.title)
        self._publish(EventPublished(**event_facts(event)))
        return await self._response(event)

    async def cancel_event(self, event_id: UUID, request: CancelRequest) -> EventResponse:
        """Cancel the event for good; its `going`/`maybe` members are told only when asked."""
        event = await self._open_event(event_id)
        event.is_cancelled = True
        event.cancellation_reason = request.cancellation_reason
        event.cancelled_at = utc_now()
        event.updated_by = self.principal.user_id
        await self.events.flush()
        told = await self.references.holders(event.id) if request.send_notifications else []
        await self._record(
            "event.cancelled",
            event_id=str(event.id),
            title=event.title,
            reason=request.cancellation_reason,
            notified=request.send_notifications,
        )
        self._publish(
            EventCancelled(
                **event_facts(event),
                reason=request.cancellation_reason,
                series_parent_id=event.recurrence_parent_id,
                recipient_ids=told,
            )
        )
        return await self._response(event)
