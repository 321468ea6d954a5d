"""Keeping this instance's cached member permissions in step with role changes."""

from collections.abc import Iterable
from uuid import UUID

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from shared.principal import MemberCache


def forget_after_commit(
    session: AsyncSession, cache: MemberCache, user_ids: Iterable[UUID]
) -> None:
    """Drop the members' cached permissions once the change is committed.

    Forgetting earlier would let a request racing the commit cache the old permissions again
    for a minute; a rolled-back change needs no forgetting.
    """
    members = list(user_ids)
    if not members:
        return

    def forget(committed: Session) -> None:
        if committed.in_nested_transaction():  # a savepoint was released, not the transaction
            return
        for user_id in members:
            cache.forget(user_id)

    event.listen(session.sync_session, "after_commit", forget)
