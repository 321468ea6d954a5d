"""An audit entry the api could not write in its request, handed to its consumer to retry."""

from typing import Any, ClassVar

from shared.events.envelope import EventData


class AuditDeferred(EventData, frozen=True, kw_only=True):
    """The fields of an audit entry whose in-request append failed (retried by a consumer)."""

    subject: ClassVar[str] = "logbook.api.audit.deferred"
    event_type: str
    event_category: str
    severity: str
    event_data: dict[str, Any]
    user_id: str | None = None
    username: str | None = None
    session_id: str | None = None
    ip_address: str | None = None
    user_agent: str | None = None
    occurred_at: str  # ISO 8601 UTC
