"""The notification service of one request."""

from functools import partial
from uuid import UUID

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.audit.trail import AuditTrail
from api.notifications.repository import LogFilter, NotificationLogRepository, RuleRepository
from api.notifications.service import NotificationService, UnreadCounter
from api.roles.cache import forget_after_commit
from shared.events.outbox import Outbox
from shared.principal import Principal


async def count_in_own_session(
    sessionmaker: async_sessionmaker[AsyncSession], organization_id: UUID, where: LogFilter
) -> int:
    """Count matching notifications in a session and transaction of its own."""
    async with sessionmaker() as session:
        return await NotificationLogRepository(session, organization_id).count(where)


def provide_notification_service(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    audit: NamedDependency[AuditTrail],
) -> NotificationService:
    """Notifications and rules of the caller's organization, with this request's audit trail."""
    state = request.app.state
    return NotificationService(
        logs=NotificationLogRepository(db_session, principal.organization_id),
        rules=RuleRepository(db_session, principal.organization_id),
        audit=audit,
        outbox=Outbox(db_session),
        principal=principal,
        forget_after_commit=partial(forget_after_commit, db_session, state.member_cache),
    )


def provide_unread_counter(
    request: Request[object, object, State], principal: NamedDependency[Principal]
) -> UnreadCounter:
    """The caller's unread count, without the request session the other routes open."""
    state = request.app.state
    return UnreadCounter(
        principal=principal,
        member_cache=state.member_cache,
        count_apart=partial(count_in_own_session, state.sessionmaker, principal.organization_id),
    )
