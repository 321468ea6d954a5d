"""The error report service of one request."""

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from api.error_reports.repository import ErrorLogRepository
from api.error_reports.service import ErrorReportService
from shared.principal import Principal


def provide_error_report_service(
    db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
) -> ErrorReportService:
    """Error reports of the caller's organization."""
    return ErrorReportService(
        reports=ErrorLogRepository(db_session, principal.organization_id), principal=principal
    )
