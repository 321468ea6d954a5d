"""Reading and verifying the caller's audit trail; each verification is itself audited."""

from datetime import UTC, datetime

import msgspec

from api.audit.errors import AuditEntryNotFoundError
from api.audit.repository import TOP_CATEGORIES, AuditLogRepository
from api.audit.schemas import (
    AuditEntryRead,
    AuditLogFilters,
    AuditLogPage,
    AuditStats,
    IntegrityReport,
    entry_read,
)
from api.audit.trail import AuditTrail
from api.audit.verification import verify_chain
from shared.models import AuditLog

VERIFIED = "Audit log integrity verified"
FAILED = "INTEGRITY FAILURE DETECTED"


def _as_utc(value: datetime | None) -> datetime | None:
    # A date without an offset is read as UTC, the zone every entry is stored in.
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class AuditService:
    """The audit trail of one organization, for a caller holding audit.view."""

    def __init__(self, entries: AuditLogRepository, trail: AuditTrail, key: bytes) -> None:
        self._entries = entries
        self._trail = trail
        self._key = key

    async def page(self, filters: AuditLogFilters, skip: int, limit: int) -> AuditLogPage:
        """Matching entries, newest first, with the total for paging."""
        filters = msgspec.structs.replace(
            filters, start_date=_as_utc(filters.start_date), end_date=_as_utc(filters.end_date)
        )
        rows, total = await self._entries.page(filters, skip, limit)
        return AuditLogPage(logs=[entry_read(r) for r in rows], total=total, skip=skip, limit=limit)

    async def stats(self) -> AuditStats:
        """Totals by severity and the ten busiest categories."""
        return AuditStats(
            total=await self._entries.count(),
            by_severity=await self._entries.count_by(AuditLog.severity),
            by_category=await self._entries.count_by(AuditLog.event_category, TOP_CATEGORIES),
        )

    async def entry(self, log_id: int) -> AuditEntryRead:
        """One entry of the caller's organization."""
        entry = await self._entries.entry(log_id)
        if entry is None:
            raise AuditEntryNotFoundError(log_id=log_id)
        return entry_read(entry)

    async def verify(self, start_id: int | None, end_id: int | None) -> IntegrityReport:
        """Walk the chain, then record that it was checked and what was found."""
        report = await verify_chain(self._entries, self._key, start_id, end_id)
        await self._trail.record(
            "audit_integrity_check",
            "security",
            "info" if report.verified else "critical",
            verified=report.verified,
            total_checked=report.total_checked,
            first_id=report.first_id,
            last_id=report.last_id,
            errors_found=report.errors_found,
        )
        return IntegrityReport(
            verified=report.verified,
            total_checked=report.total_checked,
            first_id=report.first_id,
            last_id=report.last_id,
            errors=report.errors,
            message=VERIFIED if report.verified else FAILED,
        )
