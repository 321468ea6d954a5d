"""Events as the API answers them (spec events.md §2 response shapes)."""

from typing import Any

import msgspec

from api.events.repository import EventCounts
from api.events.schemas import EventResponse
from api.events.service._base import event_type_of
from shared.models import Event

_RESPONSE_FIELDS = tuple(field.name for field in msgspec.structs.fields(EventResponse))


def _attributes(event: Event, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(event, name) for name in names if hasattr(event, name)}


def event_response(
    event: Event, location_name: str | None, counts: EventCounts | None = None
) -> EventResponse:
    """The whole event; the counts and the caller's status only when given (GET detail)."""
    fields = _attributes(event, _RESPONSE_FIELDS)
    fields["event_type"] = event_type_of(event)
    fields["location_name"] = location_name
    if counts is not None:
        fields.update(
            rsvp_count=counts.rsvp_count,
            going_count=counts.going_count,
            not_going_count=counts.not_going_count,
            maybe_count=counts.maybe_count,
            user_rsvp_status=counts.user_status,
        )
    return msgspec.convert(fields, EventResponse)
