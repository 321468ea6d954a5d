"""Fixtures on the machine's real MariaDB, Redis and NATS: one database per xdist worker."""

import os
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pymysql
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.migrate import migrate
from shared.db.session import create_engine
from shared.logging import configure_logging
from shared.settings import Settings
from tests.support.inprocess import (
    NO_NATS,
    RATE_LIMIT_MULTIPLIER,
    InProcess,
    RunningApi,
    migrated_sqlite,
    rolled_back,
    running_api,
)
from tests.support.servers import NatsServer, RedisServer

MARIADB = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}
REDIS_BASE = "redis://127.0.0.1:6379"
NATS_URL = "nats://127.0.0.1:4222"
TEST_SECRETS = {
    "secret_key": "test-secret-key-0123456789abcdef0123456789abcdef",
    "encryption_key": "test-encryption-key-0123456789abcdef0123456789ab",
    "encryption_salt": "0123456789abcdef0123456789abcdef",
}
configure_logging("tests", log_format="text", level="INFO")
# A developer's shell or .env must not change what the tests see.
for _name in list(os.environ):
    if _name in {field.upper() for field in Settings.model_fields}:
        del os.environ[_name]


@pytest.fixture(scope="session")
def worker() -> str:
    """The xdist worker name (`gw0`, …), `main` without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def run_tag(worker: str) -> str:
    """Unique per test run and worker, so two runs on one machine never share a database."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", uuid.uuid4().hex)[:8]
    return f"{run}_{worker}"


def mariadb_database(name: str) -> Iterator[str]:
    """Create an empty MariaDB database, yield its URL, drop it afterwards."""
    connection = pymysql.connect(**MARIADB, autocommit=True)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        yield f"mysql+asyncmy://root@127.0.0.1:3306/{name}?charset=utf8mb4"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        connection.close()


@pytest.fixture(scope="session")
def mariadb_url(run_tag: str) -> Iterator[str]:
    """This worker's MariaDB database (migrated by `migrated_mariadb`)."""
    yield from mariadb_database(f"logbook_test_{run_tag}")


@pytest.fixture(scope="session")
async def migrated_mariadb(mariadb_url: str) -> str:
    """The worker's database at head."""
    engine = create_engine(mariadb_url)
    await migrate(engine)
    await engine.dispose()
    return mariadb_url


@pytest.fixture
def fresh_mariadb(run_tag: str) -> Iterator[str]:
    """An empty MariaDB database for one test."""
    yield from mariadb_database(f"logbook_t_{run_tag}_{uuid.uuid4().hex[:8]}")


@pytest.fixture
async def engine(migrated_mariadb: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the migrated worker database."""
    eng = create_engine(migrated_mariadb)
    yield eng
    await eng.dispose()


@pytest.fixture(scope="session")
def redis_url(worker: str) -> str:
    """A Redis logical database of this worker's own."""
    index = int(worker[2:]) + 1 if worker.startswith("gw") else 1
    return f"{REDIS_BASE}/{index % 16}"


def settings_for(database_url: str, **overrides: Any) -> Settings:
    """Settings for a test app: the given database, test secrets, overrides on top."""
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "nats_url": NATS_URL,
        "log_format": "json",
        # The daily jobs would run for every organization of the worker's database in the
        # background of unrelated tests; tests run the jobs and the facility directly.
        "scheduled_work_enabled": False,
        **TEST_SECRETS,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def make_settings(migrated_mariadb: str) -> Callable[..., Settings]:
    """Settings for a test app: the worker's database, test secrets, overrides on top."""

    def build(**overrides: Any) -> Settings:
        return settings_for(**{"database_url": migrated_mariadb, **overrides})

    return build


@pytest.fixture(scope="session")
async def migrated_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file of this worker's, at head."""
    folder = tmp_path_factory.mktemp("sqlite")
    return await migrated_sqlite(f"sqlite+aiosqlite:///{folder / 'logbook.db'}")


@pytest.fixture
def database_kind() -> str:
    """The database `inprocess` runs on; `parametrize("database_kind", [...])` overrides it."""
    return "mariadb"


@pytest.fixture(scope="session")
async def mariadb_api(migrated_mariadb: str) -> AsyncIterator[RunningApi]:
    """The worker's api app on its MariaDB database."""
    settings = settings_for(
        migrated_mariadb, nats_url=NO_NATS, rate_limit_multiplier=RATE_LIMIT_MULTIPLIER
    )
    async with running_api("mariadb", settings) as running:
        yield running


@pytest.fixture(scope="session")
async def sqlite_api(migrated_sqlite_url: str) -> AsyncIterator[RunningApi]:
    """The worker's api app on its SQLite file."""
    settings = settings_for(
        migrated_sqlite_url, nats_url=NO_NATS, rate_limit_multiplier=RATE_LIMIT_MULTIPLIER
    )
    async with running_api("sqlite", settings) as running:
        yield running


@pytest.fixture
def running(request: pytest.FixtureRequest, database_kind: str) -> RunningApi:
    """The worker's running api app on the database of `database_kind`."""
    found: RunningApi = request.getfixturevalue(f"{database_kind}_api")
    return found


@pytest.fixture
async def inprocess(running: RunningApi) -> AsyncIterator[InProcess]:
    """The api in-process on a connection whose every row the test's end rolls back."""
    async with rolled_back(running) as api:
        yield api


ARTIFACTS = Path(__file__).resolve().parents[1] / "build" / "test-artifacts"
_SESSION_STARTED = time.time()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """List the files tests left for people to look at (browser screenshots)."""
    if not ARTIFACTS.is_dir():
        return
    fresh = sorted(p for p in ARTIFACTS.iterdir() if p.stat().st_mtime >= _SESSION_STARTED)
    for path in fresh:
        terminalreporter.write_line(f"test artifact: {path}")


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A private nats-server with JetStream that the test may stop and start again."""
    server = NatsServer(tmp_path / "nats")
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A private redis-server that the test may stop and start again."""
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.kill()


# The longest modules, started first so that no worker begins one near the end of the run; the
# fault suites before the e2e package, whose shared platforms a worker then starts once and stops
# as it moves on to the in-process tests (tests/e2e/conftest.py).
LONGEST_FIRST = (
    "tests/fault/",
    "tests/e2e/test_schemathesis.py",
    "tests/e2e/test_audit_integrity.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The modules that start processes first, the short in-process ones after them: the workers
    then finish together instead of one running a long module while the others wait."""

    def order(item: pytest.Item) -> tuple[int, bool]:
        longest = next(
            (rank for rank, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)),
            len(LONGEST_FIRST),
        )
        return (longest, item.get_closest_marker("e2e") is None)

    items.sort(key=order)  # stable: a file's tests stay together and in order
