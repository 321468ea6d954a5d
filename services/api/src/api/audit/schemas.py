"""Wire shapes of the audit routes (app-shell spec §3.4): entries never show their hashes."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from shared.models import AuditLog

Severity = Literal["info", "warning", "critical"]
MAX_LOG_ID = 2**63 - 1  # BIGINT: a larger id can only be missing, never a database error


class AuditLogFilters(msgspec.Struct, frozen=True, kw_only=True):
    """What the list route narrows the caller's trail by; None leaves a filter off."""

    event_type: str | None = None
    event_category: str | None = None
    severity: Severity | None = None
    user_id: UUID | None = None
    search: str | None = None  # substring of username or event_type, wildcards taken literally
    start_date: datetime | None = None  # inclusive, UTC
    end_date: datetime | None = None  # inclusive, UTC


class AuditEntryRead(msgspec.Struct, kw_only=True):
    """One entry as the audit page shows it."""

    id: int
    timestamp: datetime
    event_type: str
    event_category: str
    severity: str | None
    user_id: UUID | None
    username: str | None
    ip_address: str | None
    event_data: dict[str, Any]


class AuditLogPage(msgspec.Struct, kw_only=True):
    """One page of the caller's trail, newest first."""

    logs: list[AuditEntryRead]
    total: int
    skip: int
    limit: int


class AuditStats(msgspec.Struct, kw_only=True):
    """Counts for the audit page's summary and its category drop-down."""

    total: int
    by_severity: dict[str, int]
    by_category: dict[str, int]


class IntegrityReport(msgspec.Struct, kw_only=True):
    """The outcome of one walk of the caller's chain; `errors[0]` is the first broken entry."""

    verified: bool
    total_checked: int
    first_id: int | None
    last_id: int | None
    errors: list[dict[str, Any]]
    message: str


def entry_read(entry: AuditLog) -> AuditEntryRead:
    """The wire form of a stored entry (`{}` for missing data)."""
    return AuditEntryRead(
        id=entry.id,
        timestamp=entry.timestamp,
        event_type=entry.event_type,
        event_category=entry.event_category,
        severity=entry.severity,
        user_id=entry.user_id,
        username=entry.username,
        ip_address=entry.ip_address,
        event_data=entry.event_data or {},
    )
