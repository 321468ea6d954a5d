"""What the calendar notices read of the events area's tables and the organization row."""

from shared.db.repository import TenantRepository
from shared.models import Event, Organization


class CalendarReader(TenantRepository[Event]):
    """One organization's events and time zone, read-only."""

    model = Event

    async def timezone(self) -> str | None:
        """The organization's IANA time zone name (None when the row is gone)."""
        organization = await self.session.get(Organization, self.organization_id)
        return organization.timezone if organization is not None else None
