"""Dropping a member from this instance's permission cache when their roles, rank or status change.

Dropped at once and again after the commit: a request of the member that ran between the
two would otherwise cache the facts from before the change for another minute. Other instances
learn it from the member events.
"""

from functools import partial
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.on_commit import on_commit
from shared.principal import MemberCache


def forget_member(session: AsyncSession, cache: MemberCache, user_id: UUID) -> None:
    """Forget the member now and once the request's transaction commits."""
    cache.forget(user_id)
    on_commit(session, partial(cache.forget, user_id))
