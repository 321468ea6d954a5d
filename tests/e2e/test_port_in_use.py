"""`logbook run` on a port that is already taken stops at once, naming the port (issue 10 F7).

Caddy listens with SO_REUSEPORT, so a second gateway on a running platform's port would bind
without error and the kernel would split the requests between the two platforms.
"""

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.department import Platform
from tests.e2e.stack import LOGBOOK, ROOT
from tests.support.proxy import free_port

pytestmark = pytest.mark.e2e
PARTS = ("gateway", "auth", "api", "health")
REFUSE_WITHIN_SECONDS = 30


def run_on(tmp_path: Path, **taken: int) -> tuple[int, str]:
    """`logbook run` on free ports except the `taken` ones; its exit code and its output."""
    ports = {part: free_port() for part in PARTS} | taken
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "DATA_DIR": str(tmp_path / "var"),
        "LOG_FORMAT": "json",
        "EMBEDDED_NATS_PORT": str(free_port()),
        **{f"{part.upper()}_PORT": str(port) for part, port in ports.items()},
    }
    process = subprocess.Popen(
        [str(LOGBOOK), "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = process.communicate(timeout=REFUSE_WITHIN_SECONDS)
    except subprocess.TimeoutExpired:
        process.terminate()
        output, _ = process.communicate(timeout=30)
        pytest.fail(f"`logbook run` started on a port in use:\n{output[-3000:]}")
    return process.returncode, output


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port held by a plain listening socket (no SO_REUSEPORT), as any other program would."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def assert_refused(code: int, output: str, port: int, setting: str) -> None:
    assert code != 0
    assert f"port {port} is already in use ({setting})" in output, output[-3000:]
    assert "run.started" not in output  # nothing was started, not even NATS


@pytest.mark.parametrize("part", PARTS)
def test_a_port_held_by_another_program_stops_the_platform_before_it_starts(
    tmp_path: Path, held_port: int, part: str
) -> None:
    code, output = run_on(tmp_path, **{part: held_port})
    assert_refused(code, output, held_port, f"{part.upper()}_PORT")


def test_a_second_platform_on_a_running_gateways_port_is_refused(
    tmp_path: Path, shared_platform: Platform
) -> None:
    # The worker's shared platform is the running one: the refused platform starts nothing.
    first = shared_platform.stack
    port = first.ports["gateway"]
    code, output = run_on(tmp_path, gateway=port)
    assert_refused(code, output, port, "GATEWAY_PORT")
    with httpx.Client(base_url=first.gateway, timeout=5) as client:
        assert all(client.get("/health").status_code == 200 for _ in range(10))


def test_a_service_on_a_held_port_stops_before_it_touches_the_database(
    tmp_path: Path, held_port: int
) -> None:
    database = tmp_path / "logbook.db"
    done = subprocess.run(
        [str(LOGBOOK), "serve", "api"],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "API_PORT": str(held_port),
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        },
        capture_output=True,
        text=True,
        timeout=REFUSE_WITHIN_SECONDS,
        check=False,
    )
    assert done.returncode == 1
    assert f"port {held_port} is already in use (API_PORT)" in done.stderr, done.stderr[-3000:]
    assert not database.exists()
