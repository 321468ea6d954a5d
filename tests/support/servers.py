"""Private NATS, Redis and MariaDB servers for the fault tests, never the machine's shared ones.

Each listens on a free loopback port with a data folder of its own, and can be stopped, killed
and started again on the same port with the same data: a platform pointed at it sees the same
server go away and come back.
"""

import contextlib
import ctypes
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pymysql

from tests.support.proxy import free_port

READY_SECONDS = 30.0
STOP_SECONDS = 15.0
PROBE_SECONDS = 1.0
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
VENV_NATS = Path(sys.executable).parent / "nats-server"
MARIADB_INSTALL = "/usr/bin/mariadb-install-db"
MARIADBD = "/usr/sbin/mariadbd"
REDIS_SERVER = "/usr/bin/redis-server"
UNIX_SOCKET_PATH_MAX = 107  # sun_path holds 108 bytes with the terminating NUL


# Loaded here, not in the child: a child forked while a test's threads run must not need the
# dynamic loader's lock, which another thread may have held at the fork.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def _die_with_parent() -> None:
    # Runs in the child before exec: a test run killed outright (SIGKILL, a CI timeout) must not
    # leave servers behind holding ports and data folders.
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def wait_until(
    condition: Callable[[], bool], within: float, what: str, every: float = 0.05
) -> float:
    """Poll `condition` every `every` s until it holds (the seconds it took), `within` s at most."""
    started = time.monotonic()
    while not condition():
        elapsed = time.monotonic() - started
        assert elapsed < within, f"{what}: not after {elapsed:.1f} s"
        time.sleep(every)
    return time.monotonic() - started


class PrivateServer:
    """One server process on a fixed port of its own; `start` returns once it serves."""

    name = "server"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.log_path = workdir / f"{self.name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def argv(self) -> list[str]:
        """The command line that serves this server's port and data folder."""
        raise NotImplementedError

    def serves(self) -> bool:
        """True once a client can use the server (one quick probe)."""
        raise NotImplementedError

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        """Start on the same port and data folder as before; wait until it serves."""
        if self.running:
            return
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv(),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                start_new_session=True,
                preexec_fn=_die_with_parent,  # noqa: PLW1509 - one libc call, nothing to deadlock
            )
        deadline = time.monotonic() + READY_SECONDS
        while not self.serves():
            if self.process.poll() is not None or time.monotonic() > deadline:
                tail = self.log_path.read_text(errors="replace")[-3000:]
                self.kill()
                raise RuntimeError(f"{self.name} on port {self.port} did not start:\n{tail}")
            time.sleep(0.05)

    def stop(self) -> None:
        """A clean shutdown (SIGTERM), SIGKILL if it takes too long."""
        self._end(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL: the server gets no chance to flush or close anything."""
        self._end(signal.SIGKILL)

    def _end(self, sig: int) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(sig)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class NatsServer(PrivateServer):
    """nats-server with JetStream, its store kept across restarts."""

    name = "nats"

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def argv(self) -> list[str]:
        binary = VENV_NATS if VENV_NATS.exists() else Path(shutil.which("nats-server") or "")
        store = self.workdir / "store"
        return [str(binary), "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(store)]

    def serves(self) -> bool:
        # The server greets every client with INFO once it accepts them, JetStream restored.
        try:
            with socket.create_connection(("127.0.0.1", self.port), PROBE_SECONDS) as probe:
                greeting = probe.recv(4096)
        except OSError:
            return False
        return greeting.startswith(b"INFO ") and b'"jetstream":true' in greeting


class RedisServer(PrivateServer):
    """redis-server without persistence: a restarted one starts empty, as after a crash."""

    name = "redis"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def argv(self) -> list[str]:
        return [
            REDIS_SERVER,
            *("--bind", "127.0.0.1", "--port", str(self.port)),
            *("--save", "", "--appendonly", "no", "--dir", str(self.workdir)),
        ]

    def serves(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), PROBE_SECONDS) as probe:
                probe.sendall(b"PING\r\n")
                return probe.recv(64).startswith(b"+PONG")
        except OSError:
            return False


class MariaDbServer(PrivateServer):
    """mariadbd on a data folder made for it; root over TCP without a password, full durability."""

    name = "mariadb"

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        self.datadir = workdir / "data"
        # Its own, not /tmp: installs started at once by several test workers failed on a
        # temporary table gone from the shared folder ("Could not remove temporary table").
        self.tmpdir = workdir / "tmp"
        self.socket_path = workdir / "mysqld.sock"
        assert len(str(self.socket_path)) <= UNIX_SOCKET_PATH_MAX, self.socket_path

    @property
    def credentials(self) -> dict[str, Any]:
        return {"host": "127.0.0.1", "port": self.port, "user": "root", "password": ""}

    def url(self, database: str) -> str:
        return f"mysql+asyncmy://root@127.0.0.1:{self.port}/{database}?charset=utf8mb4"

    def options(self) -> list[str]:
        # --no-defaults: the machine's my.cnf (its port, socket and data folder) must not apply.
        # The buffer pool is small, but commits stay durable (innodb_flush_log_at_trx_commit=1):
        # the kill -9 scenario checks that nothing committed is lost.
        return [
            "--no-defaults",
            f"--datadir={self.datadir}",
            f"--tmpdir={self.tmpdir}",
            "--user=root",
            "--innodb-buffer-pool-size=64M",
            "--innodb-log-file-size=16M",
        ]

    def argv(self) -> list[str]:
        return [
            MARIADBD,
            *self.options(),
            "--bind-address=127.0.0.1",
            f"--port={self.port}",
            f"--socket={self.socket_path}",
            f"--pid-file={self.workdir / 'mariadbd.pid'}",
            "--skip-name-resolve",
        ]

    def start(self) -> None:
        self.tmpdir.mkdir(parents=True, exist_ok=True)
        if not self.datadir.exists():
            installed = subprocess.run(
                [
                    MARIADB_INSTALL,
                    *self.options(),
                    "--auth-root-authentication-method=normal",
                    "--skip-test-db",
                    "--skip-name-resolve",
                ],
                capture_output=True,
                text=True,
                timeout=READY_SECONDS,
                check=False,
            )
            assert installed.returncode == 0, installed.stdout + installed.stderr
        super().start()

    def serves(self) -> bool:
        try:
            connection = pymysql.connect(**self.credentials, connect_timeout=PROBE_SECONDS)
        except pymysql.err.OperationalError:
            return False
        with connection, connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True

    def create_database(self, name: str) -> str:
        """An empty utf8mb4 database; its SQLAlchemy URL."""
        with (
            pymysql.connect(**self.credentials, autocommit=True) as connection,
            connection.cursor() as cursor,
        ):
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        return self.url(name)


class PrivateServers:
    """One NATS, one Redis and one MariaDB of a test module's own."""

    def __init__(self, workdir: Path) -> None:
        self.nats = NatsServer(workdir / "nats")
        self.redis = RedisServer(workdir / "redis")
        self.mariadb = MariaDbServer(workdir / "mariadb")

    @property
    def all(self) -> tuple[PrivateServer, ...]:
        return (self.nats, self.redis, self.mariadb)


@contextlib.contextmanager
def private_servers(workdir: Path) -> Iterator[PrivateServers]:
    """Start the three servers; every one is killed afterwards, whatever the test did."""
    servers = PrivateServers(workdir)
    try:
        for server in servers.all:
            server.start()
        yield servers
    finally:
        for server in servers.all:
            server.kill()
