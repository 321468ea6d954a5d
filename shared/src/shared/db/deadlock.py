"""A request whose transaction lost a deadlock runs again, a few times, before it answers 503.

InnoDB ends a deadlock by rolling back one of the transactions whole, and asks applications to
run it again: nothing of it was kept. Two checkouts of different items can meet that way on a
unique index (each checks the other's neighbouring key), so without this one of them would
answer 503 to a quartermaster who did nothing wrong. The database edge marks the request when
it translates a deadlock (`mark_deadlock`); this layer, outside the app, holds back that 503,
replays the request's body and runs the request again. Everything the lost transaction did is
gone, and work meant for after the commit never ran (`shared.db.on_commit`), so a second run
does what the first would have done. Requests answered in any other way pass straight through.
"""

import asyncio
import random
from typing import Any

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

log = structlog.get_logger("shared.db")

MYSQL_DEADLOCK = 1213  # ER_LOCK_DEADLOCK: the transaction was rolled back
MYSQL_NO_SAVEPOINT = 1305  # ER_SP_DOES_NOT_EXIST: here, a savepoint gone with its transaction
ROLLED_BACK = frozenset({MYSQL_DEADLOCK, MYSQL_NO_SAVEPOINT})
RETRIES = 3
_MARK = "logbook.deadlock"


def driver_error_number(exc: BaseException) -> int | None:
    """The database driver's error number behind a SQLAlchemy error (MariaDB's), if any."""
    args: tuple[object, ...] = tuple(getattr(getattr(exc, "orig", None), "args", ()))
    return args[0] if args and isinstance(args[0], int) else None


def is_deadlock(exc: BaseException) -> bool:
    """Whether the server rolled the request's transaction back whole after a deadlock.

    Met inside a savepoint (every `guarded` write), the deadlock itself does not arrive: InnoDB
    dropped the savepoint with the transaction, and the savepoint's own rollback then fails
    with "SAVEPOINT does not exist", raised without the deadlock attached (SQLAlchemy re-raises
    it across a greenlet switch). A savepoint the server no longer knows means the same thing.
    """
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if driver_error_number(current) in ROLLED_BACK:
            return True
        pending += [current.__cause__, current.__context__]
    return False


def mark_deadlock(scope: Scope) -> None:
    """Tell the retry layer that this request's 503 is a lost deadlock (safe to run again)."""
    scope[_MARK] = True  # type: ignore[literal-required]


class DeadlockRetry:
    """ASGI layer running an HTTP request again when its transaction lost a deadlock."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        received: list[ReceiveMessage] = []

        async def recording() -> Any:
            message = await receive()
            received.append(message)
            return message

        # Each run starts from the scope as it came; what a run added (the matched route, the
        # principal, the parsed body) is dropped before the next, and kept after the last.
        keys, state = set(scope), dict(scope.get("state", {}))
        for attempt in range(RETRIES + 1):
            held = _Held(send, scope, passthrough=attempt == RETRIES)
            await self.app(scope, recording if attempt == 0 else _replay(received, receive), held)
            if not held.lost:
                return
            for key in set(scope) - keys:
                del scope[key]  # type: ignore[misc]
            scope["state"] = dict(state)
            log.warning("database.deadlock_retried", attempt=attempt + 1)
            # Apart a little, so the two transactions that met do not meet again at once.
            await asyncio.sleep(random.uniform(0.005, 0.05) * (attempt + 1))  # noqa: S311


class _Held:
    """The response of one run: sent as it comes, unless it is a lost deadlock's 503."""

    def __init__(self, send: Send, scope: Scope, *, passthrough: bool) -> None:
        self._send = send
        self._scope = scope
        self._passthrough = passthrough
        self.lost = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start" and not self._passthrough:
            self.lost = bool(self._scope.get(_MARK))
        if not self.lost:
            await self._send(message)


def _replay(received: list[ReceiveMessage], receive: Receive) -> Receive:
    """The first run's body messages again, then the live channel (for a disconnect)."""
    pending = [m for m in received if m["type"] == "http.request"]

    async def again() -> Any:
        if pending:
            return pending.pop(0)
        return await receive()

    return again
