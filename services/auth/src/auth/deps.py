"""What every auth route may take: the caller, the client, events, memory, kept records."""

from collections.abc import AsyncIterator
from functools import partial
from uuid import UUID

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from auth.context import AuthEvents, AuthStore, ClientInfo, InstanceMemory, Refusals
from auth.errors import SessionInvalidError
from auth.repository import MemberRepository, ResetTokenRepository, SessionRepository
from auth.sessions.service import end_idle_session
from shared.client_ip import client_ip
from shared.db.on_commit import on_commit
from shared.db.session import own_transaction
from shared.events.outbox import Outbox
from shared.principal import Principal, authenticate, bearer_claims


def client_info(request: Request[object, object, State]) -> ClientInfo:
    """Client address (as the trusted gateway saw it) and the user agent."""
    trusted = tuple(request.app.state.settings.trusted_proxy_ips)
    return ClientInfo(client_ip(request, trusted), request.headers.get("user-agent"))


async def provide_principal(request: Request[object, object, State]) -> Principal:
    """The signed-in member, authenticated as by every service; an idle session ends here.

    The end of an idle session is written in a transaction of its own, before the request
    writes anything: the request's own transaction rolls back with the 401.
    """
    try:
        return await authenticate(request)
    except SessionInvalidError as exc:
        if exc.fields.get("reason") == "idle_timeout":
            session_id = bearer_claims(request, request.app.state.settings).session_id
            await _end_idle_session(request, session_id)
        raise


async def _end_idle_session(request: Request[object, object, State], session_id: UUID) -> None:
    async with own_transaction(request.app.state.sessionmaker) as session:
        await end_idle_session(session_id, _store(request, session))


def _store(request: Request[object, object, State], session: AsyncSession) -> AuthStore:
    """Repositories, events and memory on `session`."""
    state = request.app.state
    return AuthStore(
        members=MemberRepository(session),
        sessions=SessionRepository(session),
        tokens=ResetTokenRepository(session),
        events=AuthEvents(Outbox(session), client_info(request)),
        memory=InstanceMemory(state.liveness, state.member_cache, partial(on_commit, session)),
    )


async def provide_refusals(
    request: Request[object, object, State], db_session: NamedDependency[AsyncSession]
) -> AsyncIterator[Refusals]:
    """Records a refused request keeps, written once its own transaction has rolled back.

    Rolled back first, so the records neither wait on the request's row locks nor share the
    SQLite writer with it; then written in a short transaction of their own.
    """
    refusals = Refusals()
    try:
        yield refusals
    except Exception:
        if refusals.records:
            await db_session.rollback()
            async with own_transaction(request.app.state.sessionmaker) as session:
                store = _store(request, session)
                for record in refusals.records:
                    await record(store)
        raise


def provide_events(
    request: Request[object, object, State], db_session: NamedDependency[AsyncSession]
) -> AuthEvents:
    """Auth events queued in this request's transaction, naming its client."""
    return AuthEvents(Outbox(db_session), client_info(request))


def provide_memory(
    request: Request[object, object, State], db_session: NamedDependency[AsyncSession]
) -> InstanceMemory:
    """This instance's sessions and members, told of this request's changes."""
    state = request.app.state
    return InstanceMemory(state.liveness, state.member_cache, partial(on_commit, db_session))


# What every auth controller takes, and what those acting for a signed-in member add.
BASE_DEPENDENCIES = {
    "events": Provide(provide_events, sync_to_thread=False),
    "memory": Provide(provide_memory, sync_to_thread=False),
    "refusals": Provide(provide_refusals),
}
SIGNED_IN_DEPENDENCIES = {
    **BASE_DEPENDENCIES,
    "principal": Provide(provide_principal),
}
