"""Work that must follow a commit: run once the request's transaction is committed, never sooner.

A callback registered inside a savepoint that is rolled back is dropped with it; one registered
in a savepoint that is released waits for the outer commit. A rolled-back transaction runs none.
Caches use it to forget rows a change made stale (forgetting earlier would let a racing request
cache the old value again), and the outbox to wake its relay.
"""

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

_KEY = "logbook_on_commit"
Pending = list[tuple[SessionTransaction | None, Callable[[], None]]]


def on_commit(session: AsyncSession | Session, callback: Callable[[], None]) -> None:
    """Run `callback` after the session's outermost transaction commits."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    # None: nothing is open yet, so the callback belongs to the transaction that begins next.
    transaction = sync.get_nested_transaction() or sync.get_transaction()
    pending: Pending = sync.info.setdefault(_KEY, [])
    pending.append((transaction, callback))


@event.listens_for(Session, "after_commit")
def _run_committed(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint was released, not the transaction
        return
    pending: Pending = session.info.pop(_KEY, [])
    for _, callback in pending:
        callback()


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous: SessionTransaction) -> None:
    pending: Pending | None = session.info.get(_KEY)
    if not pending:
        return
    kept = [(owner, callback) for owner, callback in pending if not _within(owner, previous)]
    session.info[_KEY] = kept


def _within(owner: SessionTransaction | None, rolled_back: SessionTransaction) -> bool:
    if owner is None:
        return rolled_back.parent is None
    transaction: SessionTransaction | None = owner
    while transaction is not None:
        if transaction is rolled_back:
            return True
        transaction = transaction.parent
    return False
