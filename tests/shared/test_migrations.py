"""The migration runner on real SQLite files and the real MariaDB: head, races, fallbacks."""

import asyncio
import fcntl
import shutil
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from textwrap import dedent

import pymysql
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.base import Base
from shared.db.migrate import (
    LOCK_NAME,
    MIGRATIONS_DIR,
    MigrationError,
    alembic_config,
    load_scripts,
    migrate,
    schema_differences,
)
from shared.db.session import create_engine

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head() or ""
EXTRA = "9999"  # a revision these tests add on top of the real chain
UNKNOWN = "f00dfeed1234"
BROKEN_SOURCE = f'revision = "{EXTRA}"\ndown_revision = "{HEAD}"\ndef upgrade(:\n'


def revision_source(revision: str, down_revision: str | None, upgrade_body: str = "pass") -> str:
    """An Alembic revision file."""
    return dedent(f"""\
        revision = {revision!r}
        down_revision = {down_revision!r}
        branch_labels = None
        depends_on = None


        def upgrade() -> None:
            {upgrade_body}


        def downgrade() -> None:
            pass
        """)


def copy_chain(tmp_path: Path) -> Path:
    """The real migrations folder, copied so a test can add revisions to it."""
    chain = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, chain, ignore=shutil.ignore_patterns("__pycache__"))
    return chain


def add_revision(chain: Path, name: str, source: str) -> Path:
    path = chain / "versions" / f"{name}.py"
    path.write_text(source)
    return path


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(params=["sqlite", "mariadb"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database: a new SQLite file, or a new MariaDB database."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "logbook.db")
    url: str = request.getfixturevalue("fresh_mariadb")
    return url


@pytest.fixture
async def engine_on_empty(empty_database: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(empty_database)
    yield eng
    await eng.dispose()


async def versions(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return list(await connection.scalars(text("SELECT version_num FROM alembic_version")))


async def differences(engine: AsyncEngine) -> list[object]:
    async with engine.connect() as connection:
        return await connection.run_sync(schema_differences)


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def execute(engine: AsyncEngine, statement: str) -> None:
    async with engine.begin() as connection:
        await connection.execute(text(statement))


async def record_revision(engine: AsyncEngine, revision: str) -> None:
    """Write a revision into alembic_version behind the runner's back."""
    async with engine.begin() as connection:
        await connection.execute(
            text("UPDATE alembic_version SET version_num = :revision"), {"revision": revision}
        )


class TestChain:
    def test_the_real_chain_has_exactly_one_head(self) -> None:
        heads = ScriptDirectory.from_config(alembic_config()).get_heads()

        assert heads == [HEAD]

    def test_a_forked_chain_is_refused_at_once(self, tmp_path: Path) -> None:
        chain = copy_chain(tmp_path)
        add_revision(chain, "0001b_fork", revision_source("0001b", None))

        started = time.monotonic()
        with pytest.raises(MigrationError, match="2 heads"):
            load_scripts(alembic_config(script_location=chain))
        assert time.monotonic() - started < 1  # no retries with the production backoff

    async def test_migrate_refuses_a_forked_chain_and_touches_nothing(self, tmp_path: Path) -> None:
        chain = copy_chain(tmp_path)
        add_revision(chain, "0001b_fork", revision_source("0001b", HEAD))
        add_revision(chain, "0001c_fork", revision_source("0001c", HEAD))
        engine = create_engine(sqlite_url(tmp_path / "logbook.db"))
        try:
            with pytest.raises(MigrationError, match="heads"):
                await migrate(engine, script_location=chain)
            assert await table_names(engine) == set()
        finally:
            await engine.dispose()


class TestChainAlone:
    async def test_alembic_upgrade_head_builds_exactly_the_models(
        self, engine_on_empty: AsyncEngine
    ) -> None:
        # No runner and no fallback: a chain that misses a table or column fails here even
        # though migrate() would repair it with create_all.
        async with engine_on_empty.connect() as connection:
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "head"))
            await connection.commit()

        assert await versions(engine_on_empty) == [HEAD]
        assert await differences(engine_on_empty) == []


class TestMigrateEmptyDatabase:
    async def test_reaches_head_with_the_schema_of_the_models(
        self, engine_on_empty: AsyncEngine
    ) -> None:
        assert await migrate(engine_on_empty) == HEAD

        assert await versions(engine_on_empty) == [HEAD]
        assert await differences(engine_on_empty) == []
        assert await table_names(engine_on_empty) >= set(Base.metadata.tables)

    async def test_a_second_run_changes_nothing(self, engine_on_empty: AsyncEngine) -> None:
        await migrate(engine_on_empty)
        await execute(
            engine_on_empty,
            "INSERT INTO processed_events (consumer, event_id, processed_at) "
            "VALUES ('c', '00000000000000000000000000000001', '2026-01-01 00:00:00')",
        )

        assert await migrate(engine_on_empty) == HEAD

        assert await versions(engine_on_empty) == [HEAD]
        assert await differences(engine_on_empty) == []
        async with engine_on_empty.connect() as connection:
            assert await connection.scalar(text("SELECT COUNT(*) FROM processed_events")) == 1


class TestConcurrentMigrators:
    async def test_three_migrators_at_once_leave_one_version_at_head(
        self, empty_database: str
    ) -> None:
        engines = [create_engine(empty_database) for _ in range(3)]
        try:
            results = await asyncio.gather(*(migrate(engine) for engine in engines))

            assert results == [HEAD, HEAD, HEAD]
            assert await versions(engines[0]) == [HEAD]
            assert await differences(engines[0]) == []
        finally:
            for engine in engines:
                await engine.dispose()

    # Both backend names, and a URL written for the original backend (aiomysql), read as asyncmy.
    @pytest.mark.parametrize("driver", ["mysql+asyncmy", "mariadb+asyncmy", "mysql+aiomysql"])
    async def test_migrate_waits_while_another_session_holds_the_mariadb_lock(
        self, fresh_mariadb: str, driver: str
    ) -> None:
        url = make_url(fresh_mariadb).set(drivername=driver)
        holder = pymysql.connect(host=url.host, port=url.port, user=url.username, autocommit=True)
        engine = create_engine(url.render_as_string(hide_password=False))
        try:
            with holder.cursor() as cursor:
                cursor.execute("SELECT GET_LOCK(%s, 30)", (LOCK_NAME,))
                assert cursor.fetchone() == (1,)
            task = asyncio.create_task(migrate(engine))
            await asyncio.sleep(1.0)
            done_while_locked = task.done()
            with holder.cursor() as cursor:
                tables_while_locked = cursor.execute(f"SHOW TABLES FROM `{url.database}`")
                cursor.execute("SELECT RELEASE_LOCK(%s)", (LOCK_NAME,))
            result = await asyncio.wait_for(task, 60)
        finally:
            holder.close()
            await engine.dispose()

        assert not done_while_locked
        assert tables_while_locked == 0
        assert result == HEAD

    async def test_migrate_waits_while_another_process_holds_the_sqlite_lock(
        self, tmp_path: Path
    ) -> None:
        database = tmp_path / "logbook.db"
        engine = create_engine(sqlite_url(database))
        lock_file = Path(f"{database}.migrate.lock")
        try:
            with lock_file.open("w") as handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
                task = asyncio.create_task(migrate(engine))
                try:
                    await asyncio.sleep(1.0)
                    done_while_locked = task.done()
                    with sqlite3.connect(database) as probe:
                        tables_while_locked = probe.execute(
                            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
                        ).fetchone()
                finally:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
                result = await asyncio.wait_for(task, 60)
        finally:
            await engine.dispose()

        assert not done_while_locked
        assert tables_while_locked == (0,)
        assert result == HEAD


class TestScriptLoadFallback:
    async def test_scripts_repaired_during_the_backoff_are_used(self, tmp_path: Path) -> None:
        chain = copy_chain(tmp_path)
        broken = add_revision(chain, "9999_late", BROKEN_SOURCE)
        repair = threading.Timer(0.3, broken.write_text, [revision_source(EXTRA, HEAD)])
        engine = create_engine(sqlite_url(tmp_path / "logbook.db"))
        started = time.monotonic()
        repair.start()
        try:
            head = await migrate(engine, script_location=chain, attempts=4, first_delay=0.5)
            elapsed = time.monotonic() - started

            assert head == EXTRA
            assert elapsed >= 0.5  # the first attempt failed and the runner waited
            assert await versions(engine) == [EXTRA]
            assert await differences(engine) == []
        finally:
            repair.join()
            await engine.dispose()

    async def test_scripts_never_repaired_raise_after_the_attempts(self, tmp_path: Path) -> None:
        chain = copy_chain(tmp_path)
        add_revision(chain, "9999_broken", BROKEN_SOURCE)
        engine = create_engine(sqlite_url(tmp_path / "logbook.db"))
        started = time.monotonic()
        try:
            with pytest.raises(MigrationError, match="cannot load the migration scripts"):
                await migrate(engine, script_location=chain, attempts=3, first_delay=0.1)
            elapsed = time.monotonic() - started

            assert 0.3 <= elapsed < 5  # waited 0.1 + 0.2 s between the three attempts
            assert await table_names(engine) == set()
        finally:
            await engine.dispose()


class TestUnknownRevisionFallback:
    async def test_matching_schema_is_stamped_to_head(self, engine_on_empty: AsyncEngine) -> None:
        await migrate(engine_on_empty)
        await record_revision(engine_on_empty, UNKNOWN)

        assert await migrate(engine_on_empty) == HEAD

        assert await versions(engine_on_empty) == [HEAD]
        assert await differences(engine_on_empty) == []

    async def test_tables_without_a_version_table_are_stamped_to_head(
        self, engine_on_empty: AsyncEngine
    ) -> None:
        async with engine_on_empty.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)

        assert await migrate(engine_on_empty) == HEAD

        assert await versions(engine_on_empty) == [HEAD]

    async def test_differing_schema_raises_and_changes_nothing(
        self, engine_on_empty: AsyncEngine
    ) -> None:
        await migrate(engine_on_empty)
        await record_revision(engine_on_empty, UNKNOWN)
        await execute(engine_on_empty, "ALTER TABLE outbox ADD COLUMN legacy_flag INTEGER")
        before = (await table_names(engine_on_empty), repr(await differences(engine_on_empty)))

        with pytest.raises(MigrationError, match=rf"revision {UNKNOWN}.*differs from the models"):
            await migrate(engine_on_empty)

        assert await versions(engine_on_empty) == [UNKNOWN]
        after = (await table_names(engine_on_empty), repr(await differences(engine_on_empty)))
        assert after == before
        assert "legacy_flag" in after[1]


class TestFailedUpgradeFallback:
    async def test_empty_database_is_built_from_the_models_and_stamped(
        self, engine_on_empty: AsyncEngine, tmp_path: Path
    ) -> None:
        chain = copy_chain(tmp_path)
        add_revision(
            chain,
            "9999_fails",
            revision_source(EXTRA, HEAD, 'raise RuntimeError("this upgrade always fails")'),
        )

        assert await migrate(engine_on_empty, script_location=chain) == EXTRA

        assert await versions(engine_on_empty) == [EXTRA]
        assert await differences(engine_on_empty) == []

    async def test_tables_half_built_by_a_failed_upgrade_are_rebuilt_whole(
        self, fresh_mariadb: str, tmp_path: Path
    ) -> None:
        chain = copy_chain(tmp_path)
        # MySQL commits each DDL statement: these changes survive the failed upgrade, and
        # create_all alone would keep the altered outbox table.
        source = (
            "import sqlalchemy as sa\n"
            "from alembic import op\n"
            f"revision = {EXTRA!r}\n"
            f"down_revision = {HEAD!r}\n"
            "def upgrade():\n"
            '    op.create_table("probe_partial", sa.Column("id", sa.Integer, primary_key=True))\n'
            '    op.add_column("outbox", sa.Column("stray", sa.Integer))\n'
            '    raise RuntimeError("fails half way")\n'
        )
        add_revision(chain, "9999_partial", source)
        engine = create_engine(fresh_mariadb)
        try:
            assert await migrate(engine, script_location=chain) == EXTRA
            assert await differences(engine) == []
            assert "probe_partial" not in await table_names(engine)
        finally:
            await engine.dispose()
