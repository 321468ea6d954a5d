"""The error report service of one request."""

from datetime import timedelta

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from api.error_reports.repository import ErrorLogRepository
from api.error_reports.service import ErrorReportService
from shared.principal import Principal
from shared.settings import Settings


def provide_error_report_service(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
) -> ErrorReportService:
    """Error reports of the caller's organization."""
    settings: Settings = request.app.state.settings
    return ErrorReportService(
        reports=ErrorLogRepository(db_session, principal.organization_id),
        principal=principal,
        retention=timedelta(days=settings.error_report_retention_days),
    )
