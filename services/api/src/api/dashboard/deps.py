"""The dashboard service of one request."""

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from api.dashboard.repository import EventCountRepository, MemberCountRepository
from api.dashboard.service import DashboardService, EventFigures, MemberFigures
from api.training.figures import TrainingFigures
from shared.principal import Principal


def provide_dashboard_service(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
) -> DashboardService:
    """The caller's organization's dashboard, with one figure source per module."""
    org = principal.organization_id
    members = MemberCountRepository(db_session, org)
    events = EventCountRepository(db_session, org)
    return DashboardService(
        members=members,
        events=events,
        summary_sources=(
            MemberFigures(members),
            EventFigures(events),
            # The compliance engine is the training area's, one for every reader (training.md §5).
            TrainingFigures(request.app.state.matrix_runs, org, request.app.state.sessionmaker),
        ),
    )
