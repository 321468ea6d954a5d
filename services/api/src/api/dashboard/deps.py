"""The dashboard service of one request."""

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from api.dashboard.repository import MemberCountRepository
from api.dashboard.service import DashboardService, MemberFigures
from shared.principal import Principal


def provide_dashboard_service(
    db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
) -> DashboardService:
    """The caller's organization's dashboard, with one figure source per module."""
    members = MemberCountRepository(db_session, principal.organization_id)
    return DashboardService(members=members, summary_sources=(MemberFigures(members),))
