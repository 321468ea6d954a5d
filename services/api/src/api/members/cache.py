"""Dropping a member from this instance's permission cache when their roles, rank or status change.

Dropped at once and again after the commit: a request of the member that ran between the
two would otherwise cache the facts from before the change for another minute. Other instances
learn it from the member events.
"""

from uuid import UUID

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from shared.principal import MemberCache

PENDING_KEY = "members_to_forget"


def forget_member(session: AsyncSession, cache: MemberCache, user_id: UUID) -> None:
    """Forget the member now and once the request's transaction commits."""
    cache.forget(user_id)
    session.info.setdefault(PENDING_KEY, []).append((cache, user_id))


@event.listens_for(Session, "after_commit")
def _forget_committed(session: Session) -> None:
    for cache, user_id in session.info.pop(PENDING_KEY, []):
        cache.forget(user_id)
