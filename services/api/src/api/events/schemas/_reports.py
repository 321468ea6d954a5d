"""Shapes of the event reports (spec events.md §4.7)."""

from datetime import datetime
from uuid import UUID

import msgspec

from shared.models import EventType, RSVPStatus


class EventStats(msgspec.Struct, kw_only=True):
    """RSVP figures; `capacity_percentage` only when the event has a maximum."""

    event_id: UUID
    total_rsvps: int
    going_count: int
    not_going_count: int
    maybe_count: int
    checked_in_count: int
    total_guests: int
    capacity_percentage: float | None


class RecentCheckIn(msgspec.Struct, kw_only=True):
    """One of the latest check-ins on the monitor."""

    user_id: UUID
    user_name: str | None
    user_email: str | None
    checked_in_at: datetime
    rsvp_status: RSVPStatus
    guest_count: int


class CheckInMonitoringStats(msgspec.Struct, kw_only=True):
    """The check-in monitor the organizer's page polls."""

    event_id: UUID
    event_name: str
    event_type: EventType
    start_datetime: datetime
    end_datetime: datetime
    is_check_in_active: bool
    check_in_window_start: datetime
    check_in_window_end: datetime
    total_eligible_members: int
    total_rsvps: int
    total_checked_in: int
    check_in_rate: float
    recent_check_ins: list[RecentCheckIn]
    avg_check_in_time_minutes: float | None
    last_check_in_at: datetime | None
