"""Every SQLAlchemy model; importing this package fills `Base.metadata` for Alembic."""

from shared.models.outbox import OutboxMessage, ProcessedEvent

__all__ = ["OutboxMessage", "ProcessedEvent"]
