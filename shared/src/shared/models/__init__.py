"""Every SQLAlchemy model; importing this package fills `Base.metadata` for Alembic."""

from shared.models.audit import AuditChainHead, AuditLog
from shared.models.auth import AuthSession, PasswordHistory
from shared.models.error_logs import ErrorLog
from shared.models.events import (
    CheckInWindowType,
    Event,
    EventRSVP,
    EventType,
    RecurrencePattern,
    ReminderTarget,
    RSVPHistory,
    RSVPStatus,
)
from shared.models.inventory import (
    AssignmentType,
    ChargeStatus,
    CheckoutRecord,
    GarmentStyle,
    InventoryBarcodeCounter,
    InventoryCategory,
    InventoryItem,
    ItemAssignment,
    ItemCondition,
    ItemIssuance,
    ItemStatus,
    ItemType,
    StandardSize,
    StorageArea,
    StorageType,
    TrackingType,
)
from shared.models.members import MemberStatus, Position, User, UserPosition
from shared.models.notifications import NotificationChannel, NotificationLog, NotificationRule
from shared.models.organization import Organization
from shared.models.outbox import OutboxMessage, ProcessedEvent
from shared.models.places import Location, OperationalRank
from shared.models.scheduled import ScheduledRun

__all__ = [
    "AssignmentType",
    "AuditChainHead",
    "AuditLog",
    "AuthSession",
    "ChargeStatus",
    "CheckInWindowType",
    "CheckoutRecord",
    "ErrorLog",
    "Event",
    "EventRSVP",
    "EventType",
    "GarmentStyle",
    "InventoryBarcodeCounter",
    "InventoryCategory",
    "InventoryItem",
    "ItemAssignment",
    "ItemCondition",
    "ItemIssuance",
    "ItemStatus",
    "ItemType",
    "Location",
    "MemberStatus",
    "NotificationChannel",
    "NotificationLog",
    "NotificationRule",
    "OperationalRank",
    "Organization",
    "OutboxMessage",
    "PasswordHistory",
    "Position",
    "ProcessedEvent",
    "RSVPHistory",
    "RSVPStatus",
    "RecurrencePattern",
    "ReminderTarget",
    "ScheduledRun",
    "StandardSize",
    "StorageArea",
    "StorageType",
    "TrackingType",
    "User",
    "UserPosition",
]
