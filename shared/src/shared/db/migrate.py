"""Bring the schema to head under a database lock, with the troubleshooting guide's fallbacks."""

import asyncio
import contextlib
import fcntl
from collections.abc import AsyncIterator
from pathlib import Path

import structlog
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from tenacity import Retrying, stop_after_attempt, wait_exponential

import shared.models  # noqa: F401 - fills Base.metadata
from shared.db.base import Base
from shared.retry import log_retry

log = structlog.get_logger("shared.migrate")
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
LOCK_NAME = "logbook_migrations"
LOCK_TIMEOUT_SECONDS = 300
SCRIPT_LOAD_ATTEMPTS = 5
SCRIPT_LOAD_FIRST_DELAY_SECONDS = 1.0
LOCKING_BACKENDS = frozenset({"mysql", "mariadb"})  # GET_LOCK; `mariadb://` URLs name the latter
VERSION_TABLE = "alembic_version"


class MigrationError(RuntimeError):
    """The schema cannot be brought to head safely; the message says why."""


def alembic_config(
    connection: Connection | None = None, *, script_location: Path = MIGRATIONS_DIR
) -> Config:
    """Alembic configuration for the one chain in the shared package (or another folder)."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["connection"] = connection
    return config


def load_scripts(
    config: Config,
    *,
    attempts: int = SCRIPT_LOAD_ATTEMPTS,
    first_delay: float = SCRIPT_LOAD_FIRST_DELAY_SECONDS,
) -> ScriptDirectory:
    """The revision scripts, retried with backoff (a deploy may still be writing them).

    A forked chain is refused at once: waiting does not merge two heads.
    """
    retrying = Retrying(
        wait=wait_exponential(multiplier=first_delay),
        stop=stop_after_attempt(attempts),
        before_sleep=log_retry(log.warning, "migrate.scripts_unreadable", with_attempt=True),
        reraise=True,
    )
    try:
        scripts, heads = retrying(_read_scripts, config)
    except Exception as exc:
        raise MigrationError(f"cannot load the migration scripts: {exc}") from exc
    if len(heads) > 1:
        raise MigrationError(
            f"the migration chain has {len(heads)} heads ({', '.join(sorted(heads))}); "
            "merge them into one with `alembic merge` before deploying"
        )
    return scripts


def _read_scripts(config: Config) -> tuple[ScriptDirectory, tuple[str, ...]]:
    scripts = ScriptDirectory.from_config(config)
    return scripts, tuple(scripts.get_heads())  # loads every revision file: fails on a broken graph


def schema_differences(connection: Connection) -> list[object]:
    """What autogenerate would change to make the database match the models."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def stamp_by_sql(connection: Connection, revision: str) -> None:
    """Record `revision` without Alembic resolving the current one (it may be unknown)."""
    connection.execute(
        text(
            f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} "
            "(version_num VARCHAR(32) NOT NULL, "
            "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
        )
    )
    connection.execute(text(f"DELETE FROM {VERSION_TABLE}"))  # noqa: S608 - constant name
    connection.execute(
        text(f"INSERT INTO {VERSION_TABLE} (version_num) VALUES (:rev)"),  # noqa: S608
        {"rev": revision},
    )


def upgrade_to_head(
    connection: Connection,
    *,
    script_location: Path = MIGRATIONS_DIR,
    attempts: int = SCRIPT_LOAD_ATTEMPTS,
    first_delay: float = SCRIPT_LOAD_FIRST_DELAY_SECONDS,
) -> str:
    """Upgrade on this connection, choosing the fallback the database's state calls for."""
    config = alembic_config(connection, script_location=script_location)
    scripts = load_scripts(config, attempts=attempts, first_delay=first_delay)
    head = scripts.get_current_head()
    if head is None:
        raise MigrationError("the migration chain has no revisions")
    current = MigrationContext.configure(connection).get_current_revision()
    tables = set(inspect(connection).get_table_names()) - {VERSION_TABLE}
    known = {rev.revision for rev in scripts.walk_revisions()}

    if current is None and not tables:
        _upgrade_empty(connection, config, head)
    elif current is None or current not in known:
        _adopt_unknown(connection, current, head)
    else:
        command.upgrade(config, "head")
    connection.commit()
    log.info("migrate.at_head", revision=head)
    return head


def _upgrade_empty(connection: Connection, config: Config, head: str) -> None:
    try:
        command.upgrade(config, "head")
    except Exception as exc:
        log.warning(
            "migrate.upgrade_failed_on_empty_db",
            error=type(exc).__name__,
            fallback="create_all + stamp",
        )
        connection.rollback()
        # The database was empty: drop what the failed upgrade left (SQLite and MySQL commit
        # some DDL as it goes), so create_all builds every table whole.
        leftovers = MetaData()
        leftovers.reflect(connection)
        leftovers.drop_all(connection)
        Base.metadata.create_all(connection)
        # MySQL commits DDL as it goes: the failed upgrade may have left a half-built table
        # that create_all skips. Only stamp a schema that really matches the models.
        differences = schema_differences(connection)
        if differences:
            raise MigrationError(
                f"the upgrade of the empty database failed and left {len(differences)} "
                "difference(s) from the models; drop and recreate the database, then retry"
            ) from exc
        stamp_by_sql(connection, head)


def _adopt_unknown(connection: Connection, current: str | None, head: str) -> None:
    differences = schema_differences(connection)
    if differences:
        raise MigrationError(
            f"the database is at revision {current or 'none'}, which this release does not know, "
            f"and its schema differs from the models in {len(differences)} place(s); "
            "restore a backup or upgrade from the release that created it"
        )
    log.warning("migrate.stamped_unknown_revision", found=current or "none", stamped=head)
    stamp_by_sql(connection, head)


@contextlib.asynccontextmanager
async def migration_lock(connection: AsyncConnection) -> AsyncIterator[None]:
    """One migrator at a time: GET_LOCK on MySQL/MariaDB, a file lock beside a SQLite file."""
    url = connection.engine.url
    if url.get_backend_name() in LOCKING_BACKENDS:
        got = await connection.scalar(
            text("SELECT GET_LOCK(:name, :timeout)"),
            {"name": LOCK_NAME, "timeout": LOCK_TIMEOUT_SECONDS},
        )
        if got != 1:
            raise MigrationError(f"could not take the migration lock in {LOCK_TIMEOUT_SECONDS} s")
        try:
            yield
        finally:
            await connection.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": LOCK_NAME})
        return
    database = url.database or ""
    if not database or database == ":memory:":
        yield
        return
    lock_path = Path(database + ".migrate.lock")
    with lock_path.open("w") as handle:  # noqa: ASYNC230 - a tiny local file, once at startup
        await asyncio.to_thread(fcntl.flock, handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


async def migrate(
    engine: AsyncEngine,
    *,
    script_location: Path = MIGRATIONS_DIR,
    attempts: int = SCRIPT_LOAD_ATTEMPTS,
    first_delay: float = SCRIPT_LOAD_FIRST_DELAY_SECONDS,
) -> str:
    """Bring the database to head; safe to call from several processes at once."""
    # Wait for readable scripts in a thread, before connecting: the retries sleep, and doing
    # that inside run_sync would block the event loop while holding the lock and a connection.
    await asyncio.to_thread(
        load_scripts,
        alembic_config(script_location=script_location),
        attempts=attempts,
        first_delay=first_delay,
    )
    async with engine.connect() as connection, migration_lock(connection):
        log.info("migrate.start")
        return await connection.run_sync(
            upgrade_to_head,
            script_location=script_location,
            attempts=attempts,
            first_delay=first_delay,
        )
