"""Recurring series: creating one on the department's wall clock, cancelling and deleting it
(spec events.md §4.3)."""

from datetime import datetime
from uuid import UUID, uuid4

from api.events.errors import EventInUseError, EventNotFoundError, EventRuleError, invalid_field
from api.events.recurrence import Recurrence, RecurrenceError, expand, recurrence_problem
from api.events.schemas import CancelRequest, EventResponse, RecurringCreate, SeriesCancelled
from api.events.service._booking import Booking
from api.events.service._rules import check_times, event_facts, new_event_fields
from api.events.service._shapes import event_response
from shared.db.integrity import ClashError
from shared.db.types import utc_now
from shared.events.contracts.events import EventCancelled, EventDeleted, SeriesCreated
from shared.models import Event

# Fields only the parent of a series carries; its children keep the pattern alone (§4.3).
PARENT_ONLY = (
    "recurrence_end_date",
    "rolling_recurrence",
    "recurrence_custom_days",
    "recurrence_weekday",
    "recurrence_week_ordinal",
    "recurrence_month",
    "recurrence_exceptions",
    "template_id",
)


class SeriesTopic(Booking):
    """Recurring series: one parent (the first occurrence) and its children."""

    async def create_series(self, request: RecurringCreate) -> list[EventResponse]:
        """Every occurrence of the series, computed in the department's zone (§4.3 [fix])."""
        zone = await self._zone()
        end_date = request.recurrence_end_date
        rule = Recurrence(
            pattern=request.recurrence_pattern,
            end_date=end_date.astimezone(zone).date() if end_date is not None else None,
            rolling=request.rolling_recurrence,
            custom_days=request.recurrence_custom_days,
            weekday=request.recurrence_weekday,
            week_ordinal=request.recurrence_week_ordinal,
            month=request.recurrence_month,
            exceptions=frozenset(request.recurrence_exceptions or ()),
        )
        problem = recurrence_problem(rule)
        if problem is not None:  # a 422, so before the 400s (§4.2's order)
            raise invalid_field(problem[0])
        check_times(
            request.start_datetime,
            request.end_datetime,
            request.rsvp_deadline,
            rsvp=request.requires_rsvp,
        )
        try:
            occurrences = expand(request.start_datetime, request.end_datetime, zone, rule)
        except RecurrenceError as exc:
            raise EventRuleError(str(exc)) from exc
        if request.location_id is not None:
            await self._lock_location(request.location_id)  # ownership; series are not booked
        parent, children = self._series_rows(request, occurrences)
        await self.events.add([parent])
        await self.events.add(children)
        await self._record(
            "event_created",
            event_id=str(parent.id),
            title=parent.title,
            recurrence_pattern=request.recurrence_pattern.value,
            occurrence_count=len(occurrences),
        )
        self._publish(
            SeriesCreated(
                parent_id=parent.id,
                title=parent.title,
                event_type=request.event_type.value,
                occurrence_ids=[parent.id, *(child.id for child in children)],
                pattern=request.recurrence_pattern.value,
            )
        )
        name = await self.references.location_name(parent.location_id)
        return [event_response(event, name) for event in (parent, *children)]

    async def cancel_series(
        self, event_id: UUID, request: CancelRequest, *, future_only: bool
    ) -> SeriesCancelled:
        """Cancel the series' occurrences not cancelled yet (only those starting from now
        with `future_only`); no notices (§4.3)."""
        parent_id = await self._parent_of(event_id)
        now = utc_now()
        rows = await self.events.series(parent_id, starting_from=now if future_only else None)
        open_rows = [event for event in rows if not event.is_cancelled]
        if not open_rows:
            raise EventNotFoundError("No events of this series to cancel")
        for event in open_rows:
            event.is_cancelled = True
            event.cancellation_reason = request.cancellation_reason
            event.cancelled_at = now
            event.updated_by = self.principal.user_id
        await self.events.flush()
        await self._record(
            "event.series_cancelled",
            event_id=str(parent_id),
            reason=request.cancellation_reason,
            cancelled_count=len(open_rows),
            future_only=future_only,
        )
        for event in sorted(open_rows, key=lambda row: row.start_datetime):
            self._publish(
                EventCancelled(
                    **event_facts(event),
                    reason=request.cancellation_reason,
                    series_parent_id=parent_id,
                )
            )
        count = len(open_rows)
        return SeriesCancelled(
            message=f"Cancelled {count} event{'s' if count != 1 else ''} in the series",
            cancelled_count=count,
        )

    async def delete_series(self, event_id: UUID, *, future_only: bool) -> None:
        """Delete the series' occurrences (only those starting from now with `future_only`)."""
        parent_id = await self._parent_of(event_id)
        rows = await self.events.series(parent_id, starting_from=utc_now() if future_only else None)
        if not rows:
            raise EventNotFoundError("No events of this series to delete")
        facts = [event_facts(event) for event in sorted(rows, key=lambda row: row.start_datetime)]
        try:
            await self.events.delete(rows)
        except ClashError as exc:
            raise EventInUseError(clash=str(exc)) from exc
        await self._record(
            "event.series_deleted",
            event_id=str(parent_id),
            deleted_count=len(rows),
            future_only=future_only,
        )
        for fact in facts:
            self._publish(EventDeleted(**fact, series_parent_id=parent_id))

    async def _parent_of(self, event_id: UUID) -> UUID:
        """The series' parent id: a child's id resolves to its parent (§4.3 [fix])."""
        event = await self._event(event_id)
        return event.recurrence_parent_id or event.id

    def _series_rows(
        self, request: RecurringCreate, occurrences: list[tuple[datetime, datetime]]
    ) -> tuple[Event, list[Event]]:
        """The parent (first occurrence, with every recurrence field) and its children."""
        fields = new_event_fields(request)
        # Each occurrence's RSVP deadline keeps the first one's distance from the start.
        lead = (
            request.start_datetime - request.rsvp_deadline
            if request.rsvp_deadline is not None
            else None
        )
        owner = {
            "organization_id": self.principal.organization_id,
            "created_by": self.principal.user_id,
            "updated_by": self.principal.user_id,
        }
        (first_start, first_end), *rest = occurrences
        parent = Event(**owner, **fields, id=uuid4(), is_recurring=True)
        parent.start_datetime, parent.end_datetime = first_start, first_end
        child_fields = {key: value for key, value in fields.items() if key not in PARENT_ONLY}
        children = []
        for start, end in rest:
            child = Event(**owner, **child_fields, is_recurring=True)
            child.start_datetime, child.end_datetime = start, end
            child.rsvp_deadline = start - lead if lead is not None else None
            child.recurrence_parent_id = parent.id
            children.append(child)
        return parent, children
