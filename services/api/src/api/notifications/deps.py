"""The notification service of one request."""

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.trail import AuditTrail
from api.notifications.repository import NotificationLogRepository, RuleRepository
from api.notifications.service import NotificationService
from shared.principal import Principal


def provide_notification_service(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    audit: NamedDependency[AuditTrail],
) -> NotificationService:
    """Notifications and rules of the caller's organization, with this request's audit trail."""
    return NotificationService(
        logs=NotificationLogRepository(db_session, principal.organization_id),
        rules=RuleRepository(db_session, principal.organization_id),
        audit=audit,
        principal=principal,
    )
