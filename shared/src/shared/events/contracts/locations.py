"""Location events the api publishes (spec/members-roles-organization.md §6)."""

from typing import ClassVar
from uuid import UUID

from shared.events.envelope import EventData


class LocationEvent(EventData, frozen=True, kw_only=True):
    """Fields every location change carries."""

    location_id: UUID
    name: str
    building: str | None
    is_active: bool


class LocationCreated(LocationEvent, frozen=True, kw_only=True):
    """A location was added."""

    subject: ClassVar[str] = "logbook.api.location.created"


class LocationUpdated(LocationEvent, frozen=True, kw_only=True):
    """A location's fields changed."""

    subject: ClassVar[str] = "logbook.api.location.updated"


class LocationDeleted(LocationEvent, frozen=True, kw_only=True):
    """A location was deleted, or deactivated because events still reference it."""

    subject: ClassVar[str] = "logbook.api.location.deleted"
    deactivated_instead: bool = False


class LocationDisplayCodeRotated(EventData, frozen=True, kw_only=True):
    """A location's kiosk code was replaced; the old kiosk URL no longer works."""

    subject: ClassVar[str] = "logbook.api.location.display_code_rotated"
    location_id: UUID
