"""Rows the events area reads but does not own: locations, the organization, RSVP holders."""

from uuid import UUID

from sqlalchemy import select

from shared.db.repository import TenantRepository
from shared.models import EventRSVP, Location, Organization, RSVPStatus

# Members told about a significant edit or a cancellation (§8.11).
TOLD = (RSVPStatus.GOING, RSVPStatus.MAYBE)


class ReferenceRepository(TenantRepository[Location]):
    """Locations and the organization row of the caller, and who answered an event."""

    model = Location

    async def lock_location(self, location_id: UUID) -> Location | None:
        """The organization's location, locked until commit: every write that books it takes
        this lock first, so two overlapping bookings are checked one after the other."""
        stmt = self.scoped().where(Location.id == location_id).with_for_update()
        return (await self.session.scalars(stmt)).first()

    async def location_name(self, location_id: UUID | None) -> str | None:
        """The name of the organization's location (an event's `location_name`), else None."""
        if location_id is None:
            return None
        stmt = select(Location.name).where(
            Location.organization_id == self.organization_id, Location.id == location_id
        )
        return await self.session.scalar(stmt)

    async def organization(self) -> Organization | None:
        """The caller's organization row (its time zone and settings)."""
        return await self.session.get(Organization, self.organization_id)

    async def holders(self, event_id: UUID, statuses: tuple[RSVPStatus, ...] = TOLD) -> list[UUID]:
        """Members holding an RSVP of these statuses to the event now (by default those told
        of its changes, `going` and `maybe`), in id order."""
        stmt = (
            select(EventRSVP.user_id)
            .where(
                EventRSVP.organization_id == self.organization_id,
                EventRSVP.event_id == event_id,
                EventRSVP.status.in_(statuses),
            )
            .order_by(EventRSVP.user_id)
        )
        return list((await self.session.scalars(stmt)).all())
