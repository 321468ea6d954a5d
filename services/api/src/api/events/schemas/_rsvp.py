"""Bodies and shapes of the RSVP routes (spec events.md §2 RSVPResponse, §4.4)."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import Meta

from shared.models import RSVPStatus
from shared.types import text

RSVPText = Annotated[str, text(500)]
GuestCount = Annotated[int, Meta(ge=0, le=10)]


class RSVPRequest(msgspec.Struct, kw_only=True):
    """The caller's own answer (never another member's: the body has no user id)."""

    status: RSVPStatus
    guest_count: GuestCount = 0
    notes: RSVPText | None = None
    dietary_restrictions: RSVPText | None = None
    accessibility_needs: RSVPText | None = None


class RSVPResponse(msgspec.Struct, kw_only=True):
    """An RSVP and the attendance it records, with the member's name and e-mail; `notice` only
    on an early self check-in (§4.6), null otherwise."""

    id: UUID
    event_id: UUID
    user_id: UUID
    status: RSVPStatus
    guest_count: int
    notes: str | None
    dietary_restrictions: str | None
    accessibility_needs: str | None
    responded_at: datetime
    updated_at: datetime
    checked_in: bool
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    attendance_duration_minutes: int | None
    override_check_in_at: datetime | None
    override_check_out_at: datetime | None
    override_duration_minutes: int | None
    overridden_by: UUID | None
    overridden_at: datetime | None
    user_name: str | None
    user_email: str | None
    notice: str | None = None


class EligibleMember(msgspec.Struct, kw_only=True):
    """An active member a manager may check in or add (§4.5 #14)."""

    id: UUID
    first_name: str | None
    last_name: str | None
    email: str
