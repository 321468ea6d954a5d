"""The `make run` platform on private NATS, Redis and MariaDB servers the fault tests break.

The machine's shared servers are never touched: each test module starts its own three servers,
a platform pointed at them (NATS_URL, REDIS_URL, DATABASE_URL), and one organization.
"""

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pymysql

from tests.e2e.department import Department, create_admin
from tests.e2e.stack import Stack, start_stack
from tests.support.servers import PrivateServers, private_servers, wait_until

DATABASE = "logbook"


@dataclass
class FaultPlatform(Department):
    """A department whose database, Redis and NATS are the test module's own servers."""

    servers: PrivateServers

    def connect(self) -> "pymysql.connections.Connection[Any]":
        """A direct connection to the private database (autocommit)."""
        return pymysql.connect(
            **self.servers.mariadb.credentials, database=self.db_name, autocommit=True
        )

    def health(self) -> dict[str, Any]:
        """The platform's /health body (whatever its status code)."""
        body: dict[str, Any] = httpx.get(f"{self.gateway}/health", timeout=10).json()
        return body

    def wait_for_health(self, status: str, within: float = 30, **checks: str) -> None:
        """Until /health says `status` and each named check (`redis="disconnected"`) holds."""

        def reached() -> bool:
            body = self.health()
            return body["status"] == status and all(
                body["checks"][name] == value for name, value in checks.items()
            )

        wait_until(reached, within, f"/health {status} {checks}")

    def started_processes(self) -> list[str]:
        """Every process `logbook run` started so far (a restart would add a line)."""
        return [
            line["process"]
            for line in self.stack.json_lines()
            if line.get("event") == "run.started"
        ]


@contextlib.contextmanager
def fault_platform(workdir: Path, **env: str) -> Iterator[FaultPlatform]:
    """Private servers, a platform on them with one organization; everything ends afterwards."""
    (workdir / "platform").mkdir(parents=True)
    with private_servers(workdir / "servers") as servers:
        url = servers.mariadb.create_database(DATABASE)
        create_admin(url, "Station 9 Fire Rescue", "chief")
        stack: Stack = start_stack(
            workdir / "platform",
            DATABASE_URL=url,
            REDIS_URL=servers.redis.url,
            NATS_URL=servers.nats.url,
            **env,
        )
        try:
            platform = FaultPlatform(stack, url, DATABASE, "", "chief", servers)
            (row,) = platform.query("SELECT id FROM organizations")
            platform.organization_id = str(uuid.UUID(str(row["id"])))
            yield platform
        finally:
            stack.stop()


@dataclass
class Write:
    """One write the writer sent: when, how long it took, and its answer (None: no answer)."""

    sent_at: float
    seconds: float
    response: httpx.Response | None
    error: str = ""


class Writer(threading.Thread):
    """Sends writes one after another, a short pause apart, until stopped; keeps every answer."""

    def __init__(self, write: Callable[[int], httpx.Response], pause: float = 0.05) -> None:
        super().__init__(name="fault-writer", daemon=True)
        self._write = write
        self._pause = pause
        self._stopping = threading.Event()
        self.writes: list[Write] = []

    def run(self) -> None:
        number = 0
        while not self._stopping.is_set():
            sent_at = time.monotonic()
            try:
                response: httpx.Response | None = self._write(number)
                error = ""
            except httpx.HTTPError as exc:
                response, error = None, repr(exc)
            self.writes.append(Write(sent_at, time.monotonic() - sent_at, response, error))
            number += 1
            # Paced, so the writer shares two cores with the platform instead of starving it.
            self._stopping.wait(self._pause)

    def answered_since(self, moment: float) -> list[Write]:
        """The writes sent at or after `moment` that have their answer."""
        return [write for write in list(self.writes) if write.sent_at >= moment]

    def halt(self) -> None:
        self._stopping.set()
        self.join(timeout=60)


@contextlib.contextmanager
def writing(write: Callable[[int], httpx.Response]) -> Iterator[Writer]:
    """A writer running for the block; stopped even when the block fails."""
    writer = Writer(write)
    writer.start()
    try:
        yield writer
    finally:
        writer.halt()
