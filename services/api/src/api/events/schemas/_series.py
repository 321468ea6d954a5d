"""Bodies and shapes of the recurring-series routes (spec events.md §4.3)."""

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from api.events.schemas._calendar import EventCreate
from api.events.schemas._common import utc_fields
from shared.models import RecurrencePattern

Weekday = Annotated[int, Meta(ge=0, le=6)]  # 0 = Monday
WEEKDAY_PATTERNS = frozenset(
    {RecurrencePattern.MONTHLY_WEEKDAY, RecurrencePattern.ANNUALLY_WEEKDAY}
)


class RecurringCreate(EventCreate, kw_only=True):
    """A new series: the event's fields for its first occurrence, and how it repeats (the
    rules between these fields are `api.events.recurrence.recurrence_problem`'s)."""

    recurrence_pattern: RecurrencePattern
    recurrence_end_date: datetime | None = None
    rolling_recurrence: bool = False
    recurrence_custom_days: Annotated[list[Weekday], Meta(min_length=1, max_length=7)] | None = None
    recurrence_weekday: Weekday | None = None
    recurrence_week_ordinal: Literal[1, 2, 3, 4, 5, -1] | None = None
    recurrence_month: Annotated[int, Meta(ge=1, le=12)] | None = None
    # Local dates of the department's time zone whose occurrence is dropped.
    recurrence_exceptions: Annotated[list[date], Meta(max_length=400)] | None = None
    template_id: UUID | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        utc_fields(self, "recurrence_end_date")


class SeriesCancelled(msgspec.Struct, kw_only=True):
    """How many occurrences a series cancel reached."""

    message: str
    cancelled_count: int
