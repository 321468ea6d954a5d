"""The one database edge: integrity errors named by field, work after commit, own transactions.

Run on MariaDB and SQLite alike, since each reports a clash its own way.
"""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar.datastructures import State
from sqlalchemy import make_url, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db.integrity import ClashError, ClashKind, guarded
from shared.db.migrate import migrate
from shared.db.on_commit import on_commit
from shared.db.session import (
    create_engine,
    create_sessionmaker,
    mysql_driver,
    own_transaction,
    provide_db_session,
)
from shared.errors import AppError
from shared.models import Organization, User, UserPosition


@pytest.fixture(params=["mariadb", "sqlite"])
async def sessions(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_mariadb: str
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a migrated database of either engine."""
    if request.param == "mariadb":
        url = migrated_mariadb
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'edge.db'}"
    engine = create_engine(url)
    if request.param == "sqlite":
        await migrate(engine)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def organization_with_member(session: AsyncSession) -> tuple[Organization, User]:
    """An organization and one member, flushed."""
    organization = Organization(name="Station 9", slug=f"s9-{uuid.uuid4().hex[:10]}")
    session.add(organization)
    await session.flush()
    member = member_of(organization, "quinn")
    session.add(member)
    await session.flush()
    return organization, member


def member_of(organization: Organization, name: str, email: str | None = None) -> User:
    """An unsaved member."""
    return User(
        organization_id=organization.id,
        username=name,
        email=email or f"{name}@station9.example.org",
        first_name="Quinn",
        last_name=name,
    )


class TestClashes:
    @pytest.mark.parametrize(
        ("username", "email", "field"),
        [
            ("QUINN", "other@station9.example.org", "username"),
            ("other", "Quinn@Station9.example.org", "email"),
        ],
    )
    async def test_a_unique_clash_names_its_field_and_keeps_the_transaction(
        self,
        sessions: async_sessionmaker[AsyncSession],
        username: str,
        email: str,
        field: str,
    ) -> None:
        async with sessions() as session:
            organization, _ = await organization_with_member(session)
            with pytest.raises(ClashError) as raised:
                async with guarded(session):
                    session.add(member_of(organization, username, email))
            assert raised.value.kind is ClashKind.UNIQUE
            assert raised.value.field == field
            # The savepoint took only the refused write: the transaction goes on.
            async with guarded(session):
                session.add(member_of(organization, "dana"))
            names = await session.scalars(
                select(User.username).where(User.organization_id == organization.id)
            )
            assert sorted(names) == ["dana", "quinn"]
            await session.rollback()

    async def test_a_missing_parent_is_a_foreign_key_clash(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        async with sessions() as session:
            _, member = await organization_with_member(session)
            with pytest.raises(ClashError) as raised:
                async with guarded(session):
                    session.add(UserPosition(user_id=member.id, position_id=uuid.uuid4()))
            assert raised.value.kind in {ClashKind.MISSING, ClashKind.FOREIGN_KEY}
            assert raised.value.field is None
            await session.rollback()


class TestOnCommit:
    async def test_runs_once_after_the_outer_commit_only(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        ran: list[str] = []
        async with sessions() as session:
            await organization_with_member(session)
            on_commit(session, lambda: ran.append("outer"))
            async with session.begin_nested():
                on_commit(session, lambda: ran.append("released savepoint"))
            assert ran == []  # a released savepoint is not a commit
            await session.commit()
        assert ran == ["outer", "released savepoint"]

    async def test_a_rolled_back_savepoint_drops_only_its_own(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        ran: list[str] = []
        async with sessions() as session:
            await organization_with_member(session)
            on_commit(session, lambda: ran.append("kept"))
            savepoint = await session.begin_nested()
            on_commit(session, lambda: ran.append("dropped"))
            await savepoint.rollback()
            await session.commit()
        assert ran == ["kept"]

    async def test_a_rolled_back_transaction_runs_nothing(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        ran: list[str] = []
        async with sessions() as session:
            await organization_with_member(session)
            on_commit(session, lambda: ran.append("never"))
            await session.rollback()
            await organization_with_member(session)
            await session.commit()
        assert ran == []


async def test_an_own_transaction_survives_the_request_rolling_back(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    slug = f"kept-{uuid.uuid4().hex[:10]}"
    async with sessions() as request_session:
        # On SQLite one writer holds the file: the own transaction writes before the request.
        async with own_transaction(sessions) as own:
            own.add(Organization(name="Kept", slug=slug))
        await organization_with_member(request_session)
        await request_session.rollback()
    async with sessions() as session:
        assert await session.scalar(select(Organization.name).where(Organization.slug == slug))


async def test_a_request_that_raises_an_app_error_keeps_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    slug = f"gone-{uuid.uuid4().hex[:10]}"
    request = provide_db_session(State({"sessionmaker": sessions}))
    session = await anext(request)
    session.add(Organization(name="Gone", slug=slug))
    await session.flush()
    with pytest.raises(AppError):
        await request.athrow(AppError("refused"))
    async with sessions() as fresh:
        assert await fresh.scalar(select(Organization.id).where(Organization.slug == slug)) is None


class TestDriver:
    @pytest.mark.parametrize(
        ("written", "used"),
        [
            # The original backend's form, kept by departments' .env files.
            (
                "mysql+aiomysql://logbook:pw@db:3306/logbook?charset=utf8mb4",
                "mysql+asyncmy://logbook:pw@db:3306/logbook?charset=utf8mb4",
            ),
            ("mariadb://logbook:pw@db/logbook", "mariadb+asyncmy://logbook:pw@db/logbook"),
            ("mysql+asyncmy://root@127.0.0.1/x", "mysql+asyncmy://root@127.0.0.1/x"),
            ("sqlite+aiosqlite:///var/logbook.db", "sqlite+aiosqlite:///var/logbook.db"),
        ],
    )
    def test_mariadb_is_reached_through_asyncmy_whatever_driver_the_url_names(
        self, written: str, used: str
    ) -> None:
        assert mysql_driver(make_url(written)).render_as_string(hide_password=False) == used

    async def test_an_engine_on_a_url_naming_aiomysql_queries_through_asyncmy(
        self, migrated_mariadb: str
    ) -> None:
        engine = create_engine(migrated_mariadb.replace("+asyncmy", "+aiomysql"))
        try:
            async with engine.connect() as connection:
                answer = await connection.scalar(text("SELECT 1"))
        finally:
            await engine.dispose()

        assert (engine.url.drivername, answer) == ("mysql+asyncmy", 1)
