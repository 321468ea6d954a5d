"""The audit routes of app-shell spec §3.4, each for callers holding audit.view."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import PathParameter, QueryParameter

from api.audit.deps import provide_audit_service
from api.audit.schemas import (
    MAX_LOG_ID,
    AuditEntryRead,
    AuditLogFilters,
    AuditLogPage,
    AuditStats,
    IntegrityReport,
    Severity,
)
from api.audit.service import AuditService
from api.deps import COMMON_DEPENDENCIES
from shared.principal import requires
from shared.types import IsoDateTimeParameter, Skip, iso_datetime, row_limit

AUDIT_VIEW = requires("audit.view")
PathLogId = Annotated[int, PathParameter(ge=1, le=MAX_LOG_ID)]
OptionalLogId = Annotated[int | None, QueryParameter(ge=1, le=MAX_LOG_ID)]


class AuditLogController(Controller):
    """The caller's organization's audit trail, newest first."""

    path = "/api/v1/audit-logs"
    tags = ["audit"]
    guards = [AUDIT_VIEW]
    dependencies = {
        **COMMON_DEPENDENCIES,
        "audit_log": Provide(provide_audit_service, sync_to_thread=False),
    }

    @get()
    async def list_audit_logs(
        self,
        *,
        audit_log: NamedDependency[AuditService],
        event_type: Annotated[str | None, QueryParameter(max_length=100)] = None,
        event_category: Annotated[str | None, QueryParameter(max_length=50)] = None,
        severity: Annotated[Severity | None, QueryParameter()] = None,
        user_id: Annotated[UUID | None, QueryParameter()] = None,
        search: Annotated[str | None, QueryParameter(max_length=200)] = None,
        start_date: IsoDateTimeParameter = None,
        end_date: IsoDateTimeParameter = None,
        skip: Skip = 0,
        limit: Annotated[int, row_limit(500)] = 50,
    ) -> AuditLogPage:
        """Entries matching the filters (inclusive dates, search over username and type)."""
        filters = AuditLogFilters(
            event_type=event_type,
            event_category=event_category,
            severity=severity,
            user_id=user_id,
            search=search,
            start_date=iso_datetime(start_date, "start_date"),
            end_date=iso_datetime(end_date, "end_date"),
        )
        return await audit_log.page(filters, skip, limit)

    @get("/stats")
    async def audit_log_stats(self, audit_log: NamedDependency[AuditService]) -> AuditStats:
        """Entry counts by severity and the ten busiest categories."""
        return await audit_log.stats()

    @get("/{log_id:str}")
    async def get_audit_log(
        self, log_id: PathLogId, audit_log: NamedDependency[AuditService]
    ) -> AuditEntryRead:
        """One entry; another organization's id answers 404 like a missing one."""
        return await audit_log.entry(log_id)


class AuditIntegrityController(Controller):
    """Verification of the caller's organization's hash chain."""

    path = "/api/v1/security/audit-log"
    tags = ["audit"]
    guards = [AUDIT_VIEW]
    dependencies = {
        **COMMON_DEPENDENCIES,
        "audit_log": Provide(provide_audit_service, sync_to_thread=False),
    }

    @get("/integrity")
    async def verify_audit_log(
        self,
        audit_log: NamedDependency[AuditService],
        start_id: OptionalLogId = None,
        end_id: OptionalLogId = None,
    ) -> IntegrityReport:
        """Walk the chain in id order; always 200, `errors[0]` names the first broken entry."""
        return await audit_log.verify(start_id, end_id)
