"""Bodies and shapes of the calendar routes (spec events.md §2, §4.1, §4.2)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.events.schemas._common import (
    Attachments,
    Capacity,
    Category,
    Description,
    Details,
    Document,
    MembershipTypes,
    Minutes,
    Place,
    Reason,
    ReminderHours,
    Title,
    utc_fields,
)
from shared.models import (
    CheckInWindowType,
    EventType,
    RecurrencePattern,
    ReminderTarget,
    RSVPStatus,
)

# A client may allow these answers; `waitlisted` is the server's alone (§2 [fix]).
ANSWERS = frozenset({RSVPStatus.GOING, RSVPStatus.NOT_GOING, RSVPStatus.MAYBE})
AllowedStatuses = Annotated[list[RSVPStatus], Meta(max_length=3)]


def _check_answers(statuses: list[RSVPStatus] | UnsetType | None) -> None:
    if isinstance(statuses, list) and not set(statuses) <= ANSWERS:
        raise ValueError("allowed_rsvp_statuses: going, not_going or maybe")


class EventCreate(msgspec.Struct, kw_only=True):
    """A new event; `is_draft` keeps it unpublished. Datetimes without an offset are UTC."""

    title: Title
    event_type: EventType
    start_datetime: datetime
    end_datetime: datetime
    description: Description | None = None
    custom_category: Category | None = None
    location_id: UUID | None = None
    location: Place | None = None
    location_details: Details | None = None
    requires_rsvp: bool = False
    rsvp_deadline: datetime | None = None
    max_attendees: Capacity | None = None
    allowed_rsvp_statuses: AllowedStatuses | None = None
    is_mandatory: bool = False
    mandatory_membership_types: MembershipTypes | None = None
    allow_guests: bool = False
    send_reminders: bool = True
    # Omitted: `all` for a mandatory event, else `going` (§2).
    reminder_target: ReminderTarget | None = None
    reminder_schedule: ReminderHours = msgspec.field(default_factory=lambda: [24])
    check_in_window_type: CheckInWindowType = CheckInWindowType.FLEXIBLE
    check_in_minutes_before: Minutes | None = 60
    check_in_minutes_after: Minutes | None = 15
    require_checkout: bool = False
    allow_guest_check_in: bool = False
    guest_check_in_creates_prospect: bool = False
    custom_fields: Document | None = None
    attachments: Attachments | None = None
    is_draft: bool = False

    def __post_init__(self) -> None:
        utc_fields(self, "start_datetime", "end_datetime", "rsvp_deadline")
        if self.end_datetime <= self.start_datetime:
            raise ValueError("end_datetime must be after start_datetime")
        if self.requires_rsvp and self.rsvp_deadline is None:
            raise ValueError("rsvp_deadline is required when requires_rsvp is true")
        _check_answers(self.allowed_rsvp_statuses)


class EventUpdate(msgspec.Struct, kw_only=True):
    """A partial edit: absent fields stay, null clears an optional one (§4.2)."""

    title: Title | UnsetType = UNSET
    event_type: EventType | UnsetType = UNSET
    start_datetime: datetime | UnsetType = UNSET
    end_datetime: datetime | UnsetType = UNSET
    description: Description | UnsetType | None = UNSET
    custom_category: Category | UnsetType | None = UNSET
    location_id: UUID | UnsetType | None = UNSET
    location: Place | UnsetType | None = UNSET
    location_details: Details | UnsetType | None = UNSET
    requires_rsvp: bool | UnsetType = UNSET
    rsvp_deadline: datetime | UnsetType | None = UNSET
    max_attendees: Capacity | UnsetType | None = UNSET
    allowed_rsvp_statuses: AllowedStatuses | UnsetType | None = UNSET
    is_mandatory: bool | UnsetType = UNSET
    mandatory_membership_types: MembershipTypes | UnsetType | None = UNSET
    allow_guests: bool | UnsetType = UNSET
    send_reminders: bool | UnsetType = UNSET
    reminder_target: ReminderTarget | UnsetType = UNSET
    reminder_schedule: ReminderHours | UnsetType | None = UNSET
    check_in_window_type: CheckInWindowType | UnsetType = UNSET
    check_in_minutes_before: Minutes | UnsetType | None = UNSET
    check_in_minutes_after: Minutes | UnsetType | None = UNSET
    require_checkout: bool | UnsetType = UNSET
    allow_guest_check_in: bool | UnsetType = UNSET
    guest_check_in_creates_prospect: bool | UnsetType = UNSET
    custom_fields: Document | UnsetType | None = UNSET
    attachments: Attachments | UnsetType | None = UNSET
    is_draft: bool | UnsetType = UNSET

    def __post_init__(self) -> None:
        utc_fields(self, "start_datetime", "end_datetime", "rsvp_deadline")
        _check_answers(self.allowed_rsvp_statuses)


class CancelRequest(msgspec.Struct, kw_only=True):
    """Why the event is cancelled; notices go to `going`/`maybe` holders only when asked."""

    cancellation_reason: Annotated[Reason, Meta(min_length=10)]
    send_notifications: bool = False


class EventResponse(msgspec.Struct, kw_only=True):
    """An event as the API answers it; the counts and the caller's status only on GET detail."""

    id: UUID
    organization_id: UUID
    title: str
    description: str | None
    event_type: EventType
    custom_category: str | None
    location_id: UUID | None
    location: str | None
    location_details: str | None
    location_name: str | None
    start_datetime: datetime
    end_datetime: datetime
    actual_start_time: datetime | None
    actual_end_time: datetime | None
    requires_rsvp: bool
    rsvp_deadline: datetime | None
    max_attendees: int | None
    allowed_rsvp_statuses: list[str] | None
    is_mandatory: bool
    mandatory_membership_types: list[str] | None
    allow_guests: bool
    send_reminders: bool
    reminder_target: ReminderTarget
    reminder_schedule: list[int] | None
    check_in_window_type: CheckInWindowType
    check_in_minutes_before: int | None
    check_in_minutes_after: int | None
    require_checkout: bool
    allow_guest_check_in: bool
    guest_check_in_creates_prospect: bool
    custom_fields: dict[str, Any] | None
    attachments: list[dict[str, Any]] | None
    is_recurring: bool
    recurrence_pattern: RecurrencePattern | None
    recurrence_end_date: datetime | None
    rolling_recurrence: bool
    recurrence_custom_days: list[int] | None
    recurrence_weekday: int | None
    recurrence_week_ordinal: int | None
    recurrence_month: int | None
    recurrence_exceptions: list[str] | None
    recurrence_parent_id: UUID | None
    template_id: UUID | None
    is_draft: bool
    is_cancelled: bool
    cancellation_reason: str | None
    cancelled_at: datetime | None
    created_by: UUID | None
    updated_by: UUID | None
    created_at: datetime
    updated_at: datetime
    rsvp_count: int | None = None
    going_count: int | None = None
    not_going_count: int | None = None
    maybe_count: int | None = None
    user_rsvp_status: RSVPStatus | None = None


class EventListItem(msgspec.Struct, kw_only=True):
    """An event in a list, with its counts and the caller's own RSVP status (§2)."""

    id: UUID
    title: str
    description: str | None
    event_type: EventType
    custom_category: str | None
    start_datetime: datetime
    end_datetime: datetime
    location_id: UUID | None
    location: str | None
    location_name: str | None
    requires_rsvp: bool
    is_mandatory: bool
    mandatory_membership_types: list[str] | None
    is_draft: bool
    is_cancelled: bool
    is_recurring: bool
    recurrence_parent_id: UUID | None
    rsvp_count: int
    going_count: int
    user_rsvp_status: RSVPStatus | None


class CustomCategory(msgspec.Struct, kw_only=True):
    """An organization-defined category of events."""

    value: str
    label: str
    color: str | None = None


class MembershipTypeOption(msgspec.Struct, kw_only=True):
    """A membership tier, as the mandatory-for picker lists it."""

    value: str
    label: str


class VisibleEventTypes(msgspec.Struct, kw_only=True):
    """Which types get a tab of their own, the custom categories, the membership tiers (§4.1)."""

    visible_event_types: list[EventType]
    custom_event_categories: list[CustomCategory]
    visible_custom_categories: list[str]
    membership_types: list[MembershipTypeOption]


@dataclass(frozen=True, kw_only=True)
class EventFilters:
    """What `GET /events` narrows the list to (§4.1); None leaves a filter out."""

    event_type: EventType | None = None
    custom_category: str | None = None
    exclude_event_types: frozenset[EventType] = frozenset()
    start_after: datetime | None = None
    start_before: datetime | None = None
    end_after: datetime | None = None
    end_before: datetime | None = None
    include_cancelled: bool = False
    include_drafts: bool = False
