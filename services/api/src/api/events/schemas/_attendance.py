"""Bodies and shapes of the managers' attendance routes (spec events.md §4.5)."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import Meta

from api.events.schemas._common import utc_fields
from api.events.schemas._rsvp import RSVPText
from shared.models import RSVPStatus

# A year of minutes: far beyond any event, far inside an INT column.
OverrideMinutes = Annotated[int, Meta(ge=0, le=525_600)]


class CheckInRequest(msgspec.Struct, kw_only=True):
    """The member a manager checks in (§4.5 #15)."""

    user_id: UUID


class AddAttendeeRequest(msgspec.Struct, kw_only=True):
    """A member added to the attendance after the fact (§4.5 #16); `waitlisted` is the
    server's alone."""

    user_id: UUID
    status: RSVPStatus = RSVPStatus.GOING
    checked_in: bool = False
    notes: RSVPText | None = None

    def __post_init__(self) -> None:
        if self.status is RSVPStatus.WAITLISTED:
            raise ValueError("status: going, not_going or maybe")


class OverrideRequest(msgspec.Struct, kw_only=True):
    """Attendance times or minutes a manager sets (§4.5 #17); a field left out stays."""

    override_check_in_at: datetime | None = None
    override_check_out_at: datetime | None = None
    override_duration_minutes: OverrideMinutes | None = None

    def __post_init__(self) -> None:
        utc_fields(self, "override_check_in_at", "override_check_out_at")


class RecordTimesRequest(msgspec.Struct, kw_only=True):
    """When the event really started and ended (§4.5 #23); an end finalizes attendance."""

    actual_start_time: datetime | None = None
    actual_end_time: datetime | None = None

    def __post_init__(self) -> None:
        utc_fields(self, "actual_start_time", "actual_end_time")


class FinalizeResult(msgspec.Struct, kw_only=True):
    """How many attendance rows finalize gave minutes to (0 on a repeat call)."""

    updated_count: int


class EndEventResult(msgspec.Struct, kw_only=True):
    """How many members end-event checked out, and the end it recorded."""

    checked_out_count: int
    actual_end_time: datetime
