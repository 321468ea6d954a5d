"""The api app in-process, its sessions bound to one connection that each test rolls back.

One app per worker and database kind runs for the whole session (building it and running its
lifespan costs more than most tests). Each test swaps `state.sessionmaker` for sessions on a
connection of its own: every session, the app's and the test's, opens a savepoint inside the
connection's outer transaction, so a commit through the app is visible to the rest of the test
and the rollback at its end leaves no row behind.

What it cannot show: requests running at the same moment (they would share the connection),
records written "in a transaction of their own" surviving a failed request (they are nested in
the test's transaction), and everything between processes. Those stay in tests/e2e.
"""

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from litestar import Litestar
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.app import create_app as create_api
from shared.db.migrate import migrate
from shared.db.session import create_engine, create_sessionmaker
from shared.models import User
from shared.settings import Settings
from tests.support import factories
from tests.support.client import app_client

NO_NATS = "nats://127.0.0.1:1"  # nothing listens: no event stream, sessions checked in the DB
# Every client is the same address and the app lives for the whole session, as on the shared
# e2e platform.
RATE_LIMIT_MULTIPLIER = 100


@dataclass
class RunningApi:
    """The worker's api app of one database kind, running, and the engine it was built on."""

    kind: str
    settings: Settings
    engine: AsyncEngine
    app: Litestar
    client: httpx.AsyncClient


@contextlib.asynccontextmanager
async def running_api(kind: str, settings: Settings) -> AsyncIterator[RunningApi]:
    """The api app on `settings.database_url` (already migrated), its lifespan running."""
    engine = create_engine(settings.resolved_database_url())
    if kind == "sqlite":
        _real_transactions(engine)
    app = create_api(settings, sessionmaker=create_sessionmaker(engine))
    try:
        async with app_client(app) as client:
            yield RunningApi(kind, settings, engine, app, client)
    finally:
        await engine.dispose()


async def migrated_sqlite(url: str) -> str:
    """A SQLite file at head (the migrations run on an engine of their own)."""
    engine = create_engine(url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()
    return url


def _real_transactions(engine: AsyncEngine) -> None:
    # Python's sqlite3 begins a transaction only before a write, so a SAVEPOINT issued first
    # would start (and its RELEASE commit) the real thing: SQLAlchemy's documented recipe hands
    # transactions to SQLAlchemy, which then begins one explicitly.
    @event.listens_for(engine.sync_engine, "connect")
    def _no_implicit_begin(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _explicit_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


@dataclass
class InProcess:
    """One test's api: a client speaking to the app and sessions on the test's connection."""

    kind: str
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    api: httpx.AsyncClient

    @contextlib.asynccontextmanager
    async def seed(self) -> AsyncIterator[AsyncSession]:
        """A session whose writes the app sees once the block ends (released, not committed)."""
        async with self.sessions() as session:
            yield session
            await session.commit()

    async def department(self, role: str = "it_manager") -> tuple[uuid.UUID, dict[str, str]]:
        """A new organization and the headers of a signed-in member of it holding `role`."""
        async with self.seed() as session:
            organization = await factories.organization(session)
            _, headers = await self._signed_in(session, organization.id, role)
        return organization.id, headers

    async def member(
        self, organization_id: uuid.UUID, *roles: str, **fields: object
    ) -> tuple[User, dict[str, str]]:
        """A new member holding `roles`, and the headers of a live session of theirs."""
        async with self.seed() as session:
            return await self._signed_in(session, organization_id, *roles, **fields)

    async def _signed_in(
        self, session: AsyncSession, organization_id: uuid.UUID, *roles: str, **fields: object
    ) -> tuple[User, dict[str, str]]:
        user = await factories.member(session, organization_id, roles, **fields)
        return user, await factories.session_headers(session, self.settings, user)


@contextlib.asynccontextmanager
async def rolled_back(running: RunningApi) -> AsyncIterator[InProcess]:
    """The running app with its sessions on one connection, rolled back when the block ends."""
    app_sessions = running.app.state.sessionmaker
    async with running.engine.connect() as connection:
        outer = await connection.begin()
        sessions = async_sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        running.app.state.sessionmaker = sessions
        try:
            yield InProcess(running.kind, running.settings, sessions, running.client)
        finally:
            running.app.state.sessionmaker = app_sessions
            await outer.rollback()
