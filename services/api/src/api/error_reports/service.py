"""Error report rules: reports scrubbed and bounded before they are kept, read per organization."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import structlog

from api.error_reports.repository import ErrorLogRepository
from api.error_reports.schemas import (
    MESSAGE_CHARS,
    STEP_CHARS,
    TYPE_CHARS,
    USER_MESSAGE_CHARS,
    ErrorReportCreate,
)
from api.error_reports.scrub import bounded_context, scrub_text, scrub_value
from shared.db.types import utc_now
from shared.models import ErrorLog
from shared.principal import Principal

RECENT = 5
log = structlog.get_logger("api.error_reports")


@dataclass
class ErrorReportService:
    """Error reports of one caller's organization."""

    reports: ErrorLogRepository
    principal: Principal
    retention: timedelta

    async def log(self, report: ErrorReportCreate) -> ErrorLog:
        """Keep a member's report without secrets, its context trimmed to size, and log it.

        The organization's reports past the retention are deleted in the same transaction, a
        batch at a time: there is no scheduler, and only new reports make old ones pile up.
        """
        user_message = report.user_message
        row = ErrorLog(
            organization_id=self.principal.organization_id,
            user_id=self.principal.user_id,
            error_type=_scrubbed(report.error_type, TYPE_CHARS),
            error_message=_scrubbed(report.error_message, MESSAGE_CHARS),
            user_message=None
            if user_message is None
            else _scrubbed(user_message, USER_MESSAGE_CHARS),
            troubleshooting_steps=[_scrubbed(s, STEP_CHARS) for s in report.troubleshooting_steps],
            context=bounded_context(scrub_value(report.context)),
            event_id=report.event_id,
        )
        await self.reports.add(row)
        expired = await self.reports.delete_created_before(utc_now() - self.retention)
        if expired:
            log.info("error_reports.expired_deleted", count=expired)
        # The request id comes with the log context; the member by id only, never by name.
        log.info(
            "frontend.error_reported",
            report_id=str(row.id),
            member_id=str(self.principal.user_id),
            error_type=row.error_type,
        )
        return row

    async def page(
        self, *, error_type: str | None, event_id: str | None, skip: int, limit: int
    ) -> tuple[Sequence[ErrorLog], int]:
        """Matching reports, newest first, and how many match."""
        return await self.reports.page(
            error_type=error_type, event_id=event_id, skip=skip, limit=limit
        )

    async def stats(self) -> tuple[int, dict[str, int], Sequence[ErrorLog]]:
        """The total, the count per type and the newest reports."""
        by_type = await self.reports.counts_by_type()
        return sum(by_type.values()), by_type, await self.reports.newest(RECENT)


def _scrubbed(text: str, limit: int) -> str:
    # "[redacted]" can be longer than the secret it replaces: the field keeps its limit.
    return scrub_text(text)[:limit]
