"""The event envelope of ARCHITECTURE.md, JSON on the wire."""

from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID, uuid4

import msgspec

from shared.db.types import utc_now

SUBJECT_ROOT = "logbook"
SUBJECT_TOKENS = 4


class EventData(msgspec.Struct, frozen=True, kw_only=True):
    """Base of every event's `data`: subclasses name their subject and version."""

    subject: ClassVar[str]
    version: ClassVar[int] = 1


class Envelope(msgspec.Struct, frozen=True, kw_only=True):
    """What travels through NATS: metadata around one event's `data`."""

    id: UUID
    type: str
    version: int
    occurred_at: datetime
    organization_id: UUID | None
    actor_id: UUID | None
    request_id: str | None
    data: dict[str, Any]


def check_subject(subject: str) -> str:
    """Subjects have exactly four tokens under `logbook.` so wildcards stay predictable."""
    tokens = subject.split(".")
    if len(tokens) != SUBJECT_TOKENS or tokens[0] != SUBJECT_ROOT or not all(tokens):
        raise ValueError(f"subject must be logbook.<service>.<aggregate>.<verb>: {subject!r}")
    return subject


def wrap(
    data: EventData, *, organization_id: UUID | None, actor_id: UUID | None, request_id: str | None
) -> Envelope:
    """A new envelope for `data`, with a fresh id and the current UTC time."""
    return Envelope(
        id=uuid4(),
        type=check_subject(data.subject),
        version=data.version,
        occurred_at=utc_now(),
        organization_id=organization_id,
        actor_id=actor_id,
        request_id=request_id,
        data=msgspec.to_builtins(data),
    )


encode = msgspec.json.Encoder().encode
decode = msgspec.json.Decoder(Envelope).decode
