"""Bodies and shapes of the QR page's routes (spec events.md §4.6)."""

from datetime import datetime
from uuid import UUID

import msgspec

from shared.models import EventType


class SelfCheckInRequest(msgspec.Struct, kw_only=True):
    """Check in, or out with `is_checkout` (the body is optional)."""

    is_checkout: bool = False


class QRCheckInData(msgspec.Struct, kw_only=True):
    """What the QR page shows: the event, its check-in window now, the department's zone."""

    event_id: UUID
    event_name: str
    event_type: EventType
    event_description: str | None
    start_datetime: datetime
    end_datetime: datetime
    actual_end_time: datetime | None
    check_in_start: datetime
    check_in_end: datetime
    is_valid: bool
    location: str | None
    location_id: UUID | None
    location_name: str | None
    require_checkout: bool
    timezone: str
    allow_guest_check_in: bool
