"""Start the `make run` platform (`logbook run`) on free ports, as an operator would."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support.proxy import free_port

ROOT = Path(__file__).resolve().parents[2]
LOGBOOK = Path(sys.executable).parent / "logbook"
# Test platforms sign in hundreds of times: at the standard Argon2 cost that was over a minute of
# the suite's CPU. tests/shared/test_passwords.py holds the standard parameters to the spec.
PLATFORM_HASH_COST = "minimal"


@dataclass
class Stack:
    """A running platform: its ports, process and the log file of every child."""

    process: subprocess.Popen[bytes]
    ports: dict[str, int]
    log_path: Path
    out_path: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def json_lines(self) -> list[dict[str, Any]]:
        """Every JSON log line written so far (services log to stderr, Caddy to both)."""
        lines = []
        for path in (self.log_path, self.out_path):
            for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
                if raw.startswith("{"):
                    lines.append(json.loads(raw))
        return lines

    def json_lines_until(
        self, wanted: Callable[[list[dict[str, Any]]], bool], within: float = 10
    ) -> list[dict[str, Any]]:
        """The JSON log lines once `wanted` holds for them; fails after `within` seconds (lines
        are written after the answer they describe)."""
        deadline = time.monotonic() + within
        while True:
            lines = self.json_lines()
            if wanted(lines):
                return lines
            assert time.monotonic() < deadline, "the log lines waited for were never written"
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM, within: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=within)

    def listening(self) -> list[str]:
        """Names of the stack's ports that still accept connections."""
        open_ports = []
        for name, port in self.ports.items():
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    open_ports.append(name)
        return open_ports


def start_stack(tmp_path: Path, *, ready: str = "healthy", **extra_env: str) -> Stack:
    """`logbook run` with its own data folder, JSON logs and free ports; waits for /health.

    `ready` is the platform state to wait for: "degraded" when a test breaks a dependency.
    """
    ports = {name: free_port() for name in ("gateway", "auth", "api", "health", "nats")}
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "DATA_DIR": str(tmp_path / "var"),
        "LOG_FORMAT": "json",
        "GATEWAY_PORT": str(ports["gateway"]),
        "AUTH_PORT": str(ports["auth"]),
        "API_PORT": str(ports["api"]),
        "HEALTH_PORT": str(ports["health"]),
        "EMBEDDED_NATS_PORT": str(ports["nats"]),
        "PASSWORD_HASH_COST": PLATFORM_HASH_COST,
        **extra_env,
    }
    log_path, out_path = tmp_path / "stack.err", tmp_path / "stack.out"
    with log_path.open("wb") as err, out_path.open("wb") as out:
        process = subprocess.Popen([str(LOGBOOK), "run"], cwd=ROOT, env=env, stdout=out, stderr=err)
    stack = Stack(process, ports, log_path, out_path, env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"stack exited early:\n{log_path.read_text()[-3000:]}")
        try:
            # "healthy", not just 200: a "degraded" platform may still be starting its services.
            health = httpx.get(f"{stack.gateway}/health", timeout=2)
            if health.status_code == 200 and health.json().get("status") == ready:
                return stack
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stack.stop(signal.SIGKILL)
    raise RuntimeError(f"stack not healthy in time:\n{log_path.read_text()[-3000:]}")


@contextlib.contextmanager
def another_instance(stack: Stack, service: str) -> Iterator[str]:
    """One more instance of `service` on the stack's database and NATS, outside the gateway.

    Waits until it serves and has read every stream it follows to the end; yields its base URL.
    """
    port = free_port()
    data = Path(stack.env["DATA_DIR"])
    secrets = data / "dev-secrets.env"
    keys = dict(
        line.split("=", 1)
        for line in secrets.read_text().splitlines()
        if line and not line.startswith("#")
    )
    env = {
        **keys,  # what the platform's environment leaves unset, as `logbook run` does
        "DATABASE_URL": f"sqlite+aiosqlite:///{data / 'logbook.db'}",  # `make run`'s default
        **stack.env,
        f"{service.upper()}_PORT": str(port),
        "NATS_URL": f"nats://127.0.0.1:{stack.ports['nats']}",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [str(LOGBOOK), "serve", service],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, f"the second {service} instance exited"
            with contextlib.suppress(httpx.HTTPError):
                health = httpx.get(f"{base}/internal/health", timeout=2)
                # Serving, and done catching up: a follower that catches up drops the cache.
                if health.status_code == 200 and health.json()["events"] == "current":
                    break
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
