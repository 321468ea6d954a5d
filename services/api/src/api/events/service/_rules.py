"""Rules and shapes the event topics share: the time checks, stored values, event facts."""

from datetime import datetime
from typing import Any

import msgspec

from api.events.errors import EventRuleError
from api.events.schemas import EventCreate
from api.events.service._base import event_type_of
from shared.models import Event, ReminderTarget, RSVPStatus

DEFAULT_ANSWERS = [RSVPStatus.GOING.value, RSVPStatus.NOT_GOING.value]


def event_facts(event: Event) -> dict[str, Any]:
    """What every calendar event on the bus carries (`EventFacts`)."""
    return {
        "event_id": event.id,
        "title": event.title,
        "event_type": event_type_of(event).value,
        "start_datetime": event.start_datetime,
        "end_datetime": event.end_datetime,
        "location_id": event.location_id,
    }


def stored(value: Any) -> Any:
    """A request value as its column holds it: enums in lists as their text, dates as ISO."""
    if isinstance(value, list):
        return [stored(item) for item in value]
    if hasattr(value, "isoformat") and not isinstance(value, datetime):
        return value.isoformat()
    return value


def check_times(start: datetime, end: datetime, deadline: datetime | None, *, rsvp: bool) -> None:
    """The time rules a body type cannot express alone, on the values the event will hold."""
    if end <= start:
        raise EventRuleError("end_datetime must be after start_datetime")
    if rsvp and deadline is None:
        raise EventRuleError("rsvp_deadline is required when requires_rsvp is true")
    if deadline is not None and deadline >= start:
        raise EventRuleError("rsvp_deadline must be before the event starts")


def new_event_fields(request: EventCreate) -> dict[str, Any]:
    """A create body's fields as a new event's columns, with the defaults §2 derives: RSVP
    answers `going`/`not_going` when RSVPs are asked for, reminders to `all` for a mandatory
    event."""
    fields = {key: stored(value) for key, value in msgspec.structs.asdict(request).items()}
    if fields["reminder_target"] is None:
        mandatory = request.is_mandatory
        fields["reminder_target"] = ReminderTarget.ALL if mandatory else ReminderTarget.GOING
    if request.requires_rsvp and request.allowed_rsvp_statuses is None:
        fields["allowed_rsvp_statuses"] = list(DEFAULT_ANSWERS)
    return fields
