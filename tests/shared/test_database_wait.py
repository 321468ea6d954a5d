"""Waiting for a database that is down, or that comes up late, on real sockets."""

import asyncio
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from shared.db.session import DatabaseUnreachableError, create_engine, wait_for_database
from tests.support.proxy import TcpProxy, free_port

LOGBOOK = Path(sys.executable).parent / "logbook"


class TestWaitForDatabase:
    async def test_closed_port_fails_after_max_wait_naming_the_target(self) -> None:
        port = free_port()
        engine = create_engine(f"mysql+asyncmy://root@127.0.0.1:{port}/logbook")
        started = time.monotonic()
        try:
            with pytest.raises(DatabaseUnreachableError) as raised:
                await wait_for_database(engine, max_wait=3)
            elapsed = time.monotonic() - started
        finally:
            await engine.dispose()

        message = str(raised.value)
        assert f"127.0.0.1:{port}" in message
        assert "DB_HOST" in message
        attempts = re.search(r"after (\d+) attempts", message)
        assert attempts is not None
        assert int(attempts[1]) > 1
        assert 3 <= elapsed < 6

    async def test_database_that_starts_late_is_used_without_restart(
        self, mariadb_url: str
    ) -> None:
        proxy = TcpProxy(target_port=make_url(mariadb_url).port or 3306)  # not listening yet
        url = make_url(mariadb_url).set(port=proxy.port)
        engine = create_engine(url.render_as_string(hide_password=False))
        waiting = asyncio.create_task(wait_for_database(engine, max_wait=20))
        try:
            await asyncio.sleep(2)
            done_while_down = waiting.done()
            await proxy.restore()
            await asyncio.wait_for(waiting, 20)
            async with engine.connect() as connection:
                database = await connection.scalar(text("SELECT DATABASE()"))
        finally:
            waiting.cancel()
            await engine.dispose()
            await proxy.cut()

        assert not done_while_down
        assert database == url.database


class TestMigrateCommand:
    def test_unreachable_database_exits_non_zero_with_a_clear_message(self, tmp_path: Path) -> None:
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": f"mysql+asyncmy://root@127.0.0.1:{port}/x",
            "DB_WAIT_SECONDS": "3",
        }
        started = time.monotonic()
        result = subprocess.run(
            [str(LOGBOOK), "migrate"],
            env=env,
            cwd=tmp_path,  # no developer .env
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        elapsed = time.monotonic() - started

        assert result.returncode != 0
        assert elapsed < 10
        assert f"127.0.0.1:{port}" in result.stderr
        assert "DB_HOST" in result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.count("database.waiting") > 1


class TestRefusalsFailFast:
    @pytest.mark.parametrize(
        ("url", "hint"),
        [
            ("mysql+asyncmy://root:not-the-password@127.0.0.1:3306/mysql", "DB_PASSWORD"),
            ("mysql+asyncmy://root@127.0.0.1:3306/logbook_no_such_database", "DB_NAME"),
        ],
    )
    async def test_wrong_credentials_or_database_are_reported_at_once(
        self, url: str, hint: str
    ) -> None:
        engine = create_engine(url)
        started = time.monotonic()
        try:
            with pytest.raises(DatabaseUnreachableError, match=hint) as raised:
                await wait_for_database(engine, max_wait=20)
        finally:
            await engine.dispose()
        assert time.monotonic() - started < 5  # no 20 s of pointless retries
        assert "127.0.0.1:3306" in str(raised.value)
