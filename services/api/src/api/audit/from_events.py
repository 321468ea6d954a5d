"""Audit entries written from events: auth's (spec/auth.md §9) and the api's own deferred ones.

Each entry carries the event's request id, so it leads back to the request that caused it.
An event that names no organization, directly or through its member, has no trail to join.
"""

from datetime import datetime
from uuid import UUID

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.auth_events import describe, details
from api.audit.chain import AuditRecord, append
from api.audit.repository import member_facts
from shared.events.contracts.audit import AuditDeferred
from shared.events.envelope import Envelope
from shared.models import AuditLog

SESSION_ID_MAX = 64
IP_MAX = 45
USER_AGENT_MAX = 500
REQUEST_ID_MAX = 64


def _uuid(value: object) -> UUID | None:
    # Events come from other services: a malformed id is treated as absent, not retried forever.
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None


def _text(value: object, limit: int) -> str | None:
    return str(value)[:limit] if value else None


async def record_auth_event(
    session: AsyncSession, key: bytes, envelope: Envelope
) -> AuditLog | None:
    """Append the entry an auth event stands for; None when it belongs to no organization."""
    data = envelope.data
    member = _uuid(data.get("user_id"))
    actor = envelope.actor_id or member
    actor_facts = await member_facts(session, actor) if actor else None
    organization = envelope.organization_id or (actor_facts[0] if actor_facts else None)
    if organization is None:
        return None
    event_data = details(envelope)
    if member is not None and member != actor:
        # An administrator acted on another member's credentials.
        event_data["target_user_id"] = str(member)
        target = await member_facts(session, member)
        if target is not None and target[0] == organization:
            event_data["target_username"] = target[1]
    described = describe(envelope)
    record = AuditRecord(
        organization_id=organization,
        event_type=described.event_type,
        event_category=described.category,
        severity=described.severity,
        event_data=event_data,
        user_id=actor,
        username=actor_facts[1] if actor_facts and actor_facts[0] == organization else None,
        session_id=_text(data.get("session_id"), SESSION_ID_MAX),
        ip_address=_text(data.get("ip_address"), IP_MAX),
        user_agent=_text(data.get("user_agent"), USER_AGENT_MAX),
        request_id=_text(envelope.request_id, REQUEST_ID_MAX),
        occurred_at=envelope.occurred_at,
    )
    return await append(session, key, record)


async def record_deferred(session: AsyncSession, key: bytes, envelope: Envelope) -> AuditLog | None:
    """Append an entry a request could not write itself; None when it names no organization."""
    if envelope.organization_id is None:
        return None
    deferred = msgspec.convert(envelope.data, AuditDeferred)
    record = AuditRecord(
        organization_id=envelope.organization_id,
        event_type=deferred.event_type,
        event_category=deferred.event_category,
        severity=deferred.severity,
        event_data=deferred.event_data,
        user_id=_uuid(deferred.user_id),
        username=deferred.username,
        session_id=_text(deferred.session_id, SESSION_ID_MAX),
        ip_address=_text(deferred.ip_address, IP_MAX),
        user_agent=_text(deferred.user_agent, USER_AGENT_MAX),
        request_id=_text(envelope.request_id, REQUEST_ID_MAX),
        occurred_at=datetime.fromisoformat(deferred.occurred_at),
    )
    return await append(session, key, record)
