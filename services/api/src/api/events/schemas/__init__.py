"""Bodies and shapes of the events routes, by topic in the modules beside this one."""

from api.events.schemas._calendar import (
    CancelRequest,
    CustomCategory,
    EventCreate,
    EventFilters,
    EventListItem,
    EventResponse,
    EventUpdate,
    MembershipTypeOption,
    VisibleEventTypes,
)
from api.events.schemas._common import as_utc
from api.events.schemas._series import RecurringCreate, SeriesCancelled

__all__ = [
    "CancelRequest",
    "CustomCategory",
    "EventCreate",
    "EventFilters",
    "EventListItem",
    "EventResponse",
    "EventUpdate",
    "MembershipTypeOption",
    "RecurringCreate",
    "SeriesCancelled",
    "VisibleEventTypes",
    "as_utc",
]
