"""Routes under /api/v1/errors (leaves-waivers spec §4); DELETE and export are LATER (404/405)."""

from collections.abc import Sequence
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, QueryParameter

from api.deps import COMMON_DEPENDENCIES
from api.error_reports.codes import catalogue
from api.error_reports.deps import provide_error_report_service
from api.error_reports.schemas import (
    ErrorCodeCatalogue,
    ErrorRecordPage,
    ErrorRecordRead,
    ErrorReportCreate,
    ErrorReportLogged,
    ErrorStats,
)
from api.error_reports.service import ErrorReportService
from shared.errors import documented_error
from shared.models import ErrorLog
from shared.principal import Principal, requires
from shared.types import SINGLE_LINE, Skip, row_limit

AUDIT_VIEW = requires("audit.view")
# Far above any real report (a long component stack is tens of kB); larger bodies are a 413.
MAX_REPORT_BYTES = 256 * 1024
ErrorTypeFilter = Annotated[str | None, QueryParameter(max_length=50, pattern=SINGLE_LINE)]
EventIdFilter = Annotated[str | None, QueryParameter(max_length=100, pattern=SINGLE_LINE)]


def _records(rows: Sequence[ErrorLog]) -> list[ErrorRecordRead]:
    return [msgspec.convert(row, ErrorRecordRead, from_attributes=True) for row in rows]


class ErrorReportController(Controller):
    """Error reports of the caller's organization."""

    path = "/api/v1/errors"
    tags = ["errors"]
    dependencies = {
        **COMMON_DEPENDENCIES,
        "reports": Provide(provide_error_report_service, sync_to_thread=False),
    }

    @post(
        "/log",
        status_code=200,
        request_max_body_size=MAX_REPORT_BYTES,
        responses={429: documented_error("More than 120 reports from the member in 60 s")},
    )
    async def log_error(
        self, data: JSONBody[ErrorReportCreate], reports: NamedDependency[ErrorReportService]
    ) -> ErrorReportLogged:
        """Keep a report from the member's browser (any active member; secrets removed)."""
        row = await reports.log(data)
        return ErrorReportLogged(id=row.id)

    @get("/", guards=[AUDIT_VIEW])
    async def list_errors(
        self,
        reports: NamedDependency[ErrorReportService],
        error_type: ErrorTypeFilter = None,
        event_id: EventIdFilter = None,
        skip: Skip = 0,
        limit: Annotated[int, row_limit(500)] = 100,
    ) -> ErrorRecordPage:
        """Reports, newest first, optionally of one type or event."""
        rows, total = await reports.page(
            error_type=error_type, event_id=event_id, skip=skip, limit=limit
        )
        return ErrorRecordPage(errors=_records(rows), total=total)

    @get("/stats", guards=[AUDIT_VIEW])
    async def error_stats(self, reports: NamedDependency[ErrorReportService]) -> ErrorStats:
        """How many reports, by type, and the five newest."""
        total, by_type, recent = await reports.stats()
        return ErrorStats(total=total, by_type=by_type, recent_errors=_records(recent))

    @get("/codes")
    async def error_codes(
        self,
        principal: NamedDependency[Principal],  # noqa: ARG002 - any signed-in member may read it
    ) -> ErrorCodeCatalogue:
        """Every support code the API answers with (any active member)."""
        return ErrorCodeCatalogue(codes=list(catalogue()))
