"""One keyed hash chain per organization (app-shell spec §3.2 with its [fix] rows).

Each entry's HMAC covers every field an auditor is shown (version 4) and the previous entry's
hash. Entries written before version 4 keep the version-3 formula they were signed with, so
they still verify. Appends lock the organization's head row, so two writers can never both
extend the same entry.
"""

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.repository import AuditChainRepository
from shared.db.types import utc_now
from shared.models import AuditLog
from shared.settings import Settings

GENESIS_HASH = "0" * 64
HASH_VERSION = 4  # what new entries are written with
# Keys of `event_data` that name the member an entry is about (spec §5), in order of preference.
SUBJECT_KEYS = ("target_user_id", "updated_user_id", "viewed_user_id", "new_user_id")


def subject_of(event_data: dict[str, Any], keys: tuple[str, ...] = SUBJECT_KEYS) -> UUID | None:
    """The member the entry is about, from the first subject key holding a member id."""
    for key in keys:
        try:
            return UUID(str(event_data[key]))
        except (KeyError, ValueError):
            continue
    return None


@dataclass(frozen=True)
class AuditRecord:
    """What one audit entry says, before it joins the chain."""

    organization_id: UUID
    event_type: str
    event_category: str
    severity: str = "info"
    event_data: dict[str, Any] = field(default_factory=dict)
    user_id: UUID | None = None
    username: str | None = None
    session_id: str | None = None
    ip_address: str | None = None
    user_agent: str | None = None
    request_id: str | None = None
    occurred_at: datetime | None = None  # when the event happened; now if not given


def signing_key(settings: Settings) -> bytes:
    """AUDIT_LOG_SIGNING_KEY, else SECRET_KEY."""
    key = settings.audit_log_signing_key or settings.secret_key
    if key is None:
        raise RuntimeError("SECRET_KEY or AUDIT_LOG_SIGNING_KEY must be set")
    return key.get_secret_value().encode()


def canonical_json(data: dict[str, Any]) -> str:
    """Keys sorted, default separators, anything not JSON as its text."""
    return json.dumps(data, sort_keys=True, default=str)


def _v3_message(entry: AuditLog) -> str:
    # Time, type, category, severity, actor id, organization, address, data and the link; the
    # actor's name, session, user agent, request id and subject were left out.
    return "|".join(
        [
            entry.timestamp.isoformat(timespec="microseconds"),
            str(entry.timestamp_nanos),
            entry.event_type,
            entry.event_category,
            entry.severity,
            str(entry.user_id),
            str(entry.organization_id),
            str(entry.ip_address),
            canonical_json(entry.event_data or {}),
            entry.previous_hash,
        ]
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _v4_message(entry: AuditLog) -> str:
    # Every stored field but the id (the links already fix each entry's place) and the hash
    # itself. As JSON, an absent value (null) cannot pass for the text "None", and no value can
    # borrow a neighbour's field through a separator inside it.
    return canonical_json(
        {
            "hash_version": entry.hash_version,
            "organization_id": _text(entry.organization_id),
            "timestamp": entry.timestamp.isoformat(timespec="microseconds"),
            "timestamp_nanos": entry.timestamp_nanos,
            "event_type": entry.event_type,
            "event_category": entry.event_category,
            "severity": entry.severity,
            "user_id": _text(entry.user_id),
            "username": entry.username,
            "subject_user_id": _text(entry.subject_user_id),
            "session_id": entry.session_id,
            "ip_address": entry.ip_address,
            "user_agent": entry.user_agent,
            "request_id": entry.request_id,
            "event_data": entry.event_data or {},
            "created_at": entry.created_at.isoformat(timespec="microseconds"),
            "previous_hash": entry.previous_hash,
        }
    )


# What each verifiable hash version covers; v1 (unkeyed) and v2 were never written here.
COVERED_FIELDS: dict[int, Callable[[AuditLog], str]] = {3: _v3_message, 4: _v4_message}


def entry_hash(key: bytes, entry: AuditLog) -> str:
    """The HMAC-SHA256 of the fields the entry's hash version covers (one of COVERED_FIELDS)."""
    message = COVERED_FIELDS[entry.hash_version](entry)
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


async def append(session: AsyncSession, key: bytes, record: AuditRecord) -> AuditLog:
    """Add `record` at the end of its organization's chain, in the caller's transaction."""
    chain = AuditChainRepository(session, record.organization_id)
    head = await chain.locked_head(GENESIS_HASH)
    occurred = (record.occurred_at or utc_now()).astimezone(UTC)
    entry = AuditLog(
        organization_id=record.organization_id,
        timestamp=occurred.replace(microsecond=0),  # seconds precision, as §3.1 stores it
        timestamp_nanos=int(occurred.timestamp()) * 1_000_000_000 + occurred.microsecond * 1000,
        event_type=record.event_type,
        event_category=record.event_category,
        severity=record.severity,
        user_id=record.user_id,
        username=record.username,
        session_id=record.session_id,
        ip_address=record.ip_address,
        user_agent=record.user_agent,
        request_id=record.request_id,
        subject_user_id=subject_of(record.event_data),
        # Stored as JSON reads it back, so the hash recomputes from the stored row.
        event_data=json.loads(canonical_json(record.event_data)),
        previous_hash=head.last_hash,
        hash_version=HASH_VERSION,
        created_at=utc_now(),
    )
    entry.current_hash = entry_hash(key, entry)
    await chain.add(entry)
    await chain.advance(head, entry)
    return entry
