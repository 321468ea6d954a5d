"""The location and rank services of one request."""

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.trail import AuditTrail
from api.locations.ranks import RankService
from api.locations.repository import LocationRepository, RankRepository
from api.locations.service import LocationService
from shared.events.outbox import Outbox
from shared.principal import Principal


def provide_location_service(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    audit: NamedDependency[AuditTrail],
) -> LocationService:
    """Locations of the caller's organization, with this request's audit trail and outbox."""
    return LocationService(
        locations=LocationRepository(db_session, principal.organization_id),
        audit=audit,
        outbox=Outbox(db_session),
        principal=principal,
    )


def provide_rank_service(
    db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
) -> RankService:
    """Ranks of the caller's organization, with this request's outbox."""
    return RankService(
        ranks=RankRepository(db_session, principal.organization_id),
        outbox=Outbox(db_session),
        principal=principal,
    )
