"""Every SQLAlchemy model; importing this package fills `Base.metadata` for Alembic."""

from shared.models.auth import AuthSession, PasswordHistory
from shared.models.members import MemberStatus, Position, User, UserPosition
from shared.models.organization import Organization
from shared.models.outbox import OutboxMessage, ProcessedEvent

__all__ = [
    "AuthSession",
    "MemberStatus",
    "Organization",
    "OutboxMessage",
    "PasswordHistory",
    "Position",
    "ProcessedEvent",
    "User",
    "UserPosition",
]
