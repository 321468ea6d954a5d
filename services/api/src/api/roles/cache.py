"""Keeping this instance's cached member permissions in step with role changes."""

from collections.abc import Iterable
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.on_commit import on_commit
from shared.principal import MemberCache


def forget_after_commit(
    session: AsyncSession, cache: MemberCache, user_ids: Iterable[UUID]
) -> None:
    """Drop the members' cached permissions once the change is committed.

    Forgetting earlier would let a request racing the commit cache the old permissions again
    for a minute; a rolled-back change needs no forgetting.
    """
    members = list(user_ids)
    if members:
        on_commit(session, lambda: _forget(cache, members))


def _forget(cache: MemberCache, user_ids: list[UUID]) -> None:
    for user_id in user_ids:
        cache.forget(user_id)
