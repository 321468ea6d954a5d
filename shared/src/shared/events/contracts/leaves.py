"""Leave and waiver events the api publishes (spec leaves-waivers-ranks-errors.md §6).

Both are the periods that excuse a member from training targets (addendum §2.2), so they share a
module: `logbook.api.leave.<verb>` and `logbook.api.training.waiver_changed`. A leave's or a
waiver's `reason` may be medical and is never carried.
"""

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from shared.events.envelope import EventData

# What happened to a waiver: a waiver is deactivated, never deleted.
WaiverVerb = Literal["created", "deactivated"]


class LeaveFacts(EventData, frozen=True, kw_only=True):
    """What every leave event carries (no reason)."""

    leave_id: UUID
    user_id: UUID
    leave_type: str
    start_date: date
    end_date: date | None
    active: bool
    exempt_from_training_waiver: bool
    linked_training_waiver_id: UUID | None


class LeaveCreated(LeaveFacts, frozen=True, kw_only=True):
    """A leave of absence was granted (scheduling cancels the member's shifts on it)."""

    subject: ClassVar[str] = "logbook.api.leave.created"


class LeaveDeactivated(LeaveFacts, frozen=True, kw_only=True):
    """A leave was deactivated (its soft delete), with its linked waiver."""

    subject: ClassVar[str] = "logbook.api.leave.deactivated"


class WaiverChanged(EventData, frozen=True, kw_only=True):
    """A training waiver was granted or deactivated, a leave's linked waiver included."""

    subject: ClassVar[str] = "logbook.api.training.waiver_changed"
    waiver_id: UUID
    user_id: UUID
    verb: WaiverVerb
    start_date: date
    end_date: date | None
    requirement_ids: list[UUID] | None
    active: bool
