"""The request-scoped audit writer: appends in a savepoint, defers through the outbox on failure.

An audit entry must never fail the change it records: if the append fails (a lock wait, a
deadlock), the entry goes into the outbox in the same transaction, and the audit consumer
appends it shortly after. An entry about a refusal is written apart, in a short transaction of
its own, since the refused request's transaction rolls back.
"""

from dataclasses import replace
from typing import Any

import structlog
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.audit.chain import AuditRecord, append
from shared.db.session import own_transaction
from shared.db.types import utc_now
from shared.events.contracts.audit import AuditDeferred
from shared.events.envelope import EventData
from shared.events.outbox import Outbox

log = structlog.get_logger("api.audit")


# MariaDB/MySQL roll back the whole transaction of a deadlock's victim (1213); leaving the
# savepoint then fails with 1305 because it went with it. A lock wait timeout only rolls back
# the statement, which the savepoint already undid: that one can be deferred.
TRANSACTION_LOST = {1213, 1305}


def _whole_transaction_lost(exc: BaseException | None) -> bool:
    while exc is not None:
        args = getattr(getattr(exc, "orig", None), "args", ())
        if isinstance(exc, OperationalError) and args and args[0] in TRANSACTION_LOST:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class AuditTrail:
    """Writes this request's audit entries on behalf of one caller."""

    def __init__(
        self,
        session: AsyncSession,
        key: bytes,
        context: AuditRecord,
        *,
        sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        # `context` carries who, where and which request; each entry adds what happened.
        # `sessionmaker` opens the transactions of entries written apart (`record_apart`).
        self._session = session
        self._key = key
        self._context = context
        self._sessionmaker = sessionmaker

    @property
    def ip_address(self) -> str | None:
        """The caller's address as the gateway saw it."""
        return self._context.ip_address

    async def record(
        self,
        event_type: str,
        category: str,
        severity: str = "info",
        **event_data: Any,
    ) -> None:
        """Append one entry for this request's caller, in the request's transaction."""
        await self._append_or_defer(
            self._session, self._entry(event_type, category, severity, event_data)
        )

    async def record_apart(
        self,
        event_type: str,
        category: str,
        severity: str,
        event: EventData,
        **event_data: Any,
    ) -> None:
        """Append one entry and queue its event in a transaction of their own, committed now.

        For a refusal, whose request then rolls back. Call it before the request writes: the
        request would hold the chain's head row (MariaDB) or the file (SQLite) that this
        transaction waits for.
        """
        if self._sessionmaker is None:
            raise RuntimeError("This audit trail writes only in the request's transaction")
        record = self._entry(event_type, category, severity, event_data)
        async with own_transaction(self._sessionmaker) as session:
            await self._append_or_defer(session, record)
            Outbox(session).add(
                event, organization_id=record.organization_id, actor_id=record.user_id
            )

    def _entry(
        self, event_type: str, category: str, severity: str, event_data: dict[str, Any]
    ) -> AuditRecord:
        return replace(
            self._context,
            event_type=event_type,
            event_category=category,
            severity=severity,
            event_data=event_data,
            occurred_at=utc_now(),
        )

    async def _append_or_defer(self, session: AsyncSession, record: AuditRecord) -> None:
        try:
            async with session.begin_nested():
                await append(session, self._key, record)
        except SQLAlchemyError as exc:
            if _whole_transaction_lost(exc):
                # Deferring now would commit the rest of a request whose change is gone: fail
                # it instead (503, and the client retries).
                raise
            log.warning(
                "audit.append_deferred", event_type=record.event_type, error=type(exc).__name__
            )
            _defer(session, record)


def _defer(session: AsyncSession, record: AuditRecord) -> None:
    """Hand the entry to the audit consumer through the outbox."""
    Outbox(session).add(
        AuditDeferred(
            event_type=record.event_type,
            event_category=record.event_category,
            severity=record.severity,
            event_data=record.event_data,
            user_id=str(record.user_id) if record.user_id else None,
            username=record.username,
            session_id=record.session_id,
            ip_address=record.ip_address,
            user_agent=record.user_agent,
            occurred_at=(record.occurred_at or utc_now()).isoformat(),
        ),
        organization_id=record.organization_id,
        actor_id=record.user_id,
    )
