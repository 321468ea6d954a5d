"""`logbook run`'s supervisor: starts the planned platform, watches it, stops it together.

`launcher.runner` decides everything with the full settings (checks, ports, the children's
environment) and then replaces its own process with this one, handing over a `Plan`: what stays
up as long as the platform needs the standard library and the log setup only, not the settings'
validation (pydantic: about 14 MiB).
"""

import asyncio
import contextlib
import ctypes
import json
import os
import signal
import socket
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import structlog

from launcher.ports import SERVICES
from shared.logging import configure_logging

log = structlog.get_logger("launcher.runner")
BIN = Path(sys.executable).parent
STOP_GRACE_SECONDS = 10.0
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
READY_TIMEOUT_SECONDS = 180.0


@dataclass(frozen=True)
class Plan:
    """What the supervisor needs of the settings; the children's environment is its own."""

    root: str  # the checkout: deploy/Caddyfile and the children's working directory
    var: str  # DATA_DIR: the embedded NATS's store and log
    embedded_nats_port: int | None  # None: NATS_URL names a server of the operator's
    health_port: int
    gateway_port: int
    log_format: str
    migrate: bool  # MIGRATE_ON_START: the database is brought to head once, before the services

    def to_json(self) -> str:
        """The plan as one command-line argument."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "Plan":
        """The plan `to_json` wrote."""
        return cls(**json.loads(text))


@dataclass
class Child:
    """One supervised process."""

    name: str
    process: asyncio.subprocess.Process


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Supervisor:
    """Starts NATS (when embedded), the three services and Caddy; stops them together."""

    def __init__(self, plan: Plan, env: dict[str, str]) -> None:
        self.plan = plan
        self.root = Path(plan.root)
        self.var = Path(plan.var)
        self.env = env
        self.children: list[Child] = []

    async def _spawn(self, name: str, *argv: str) -> Child:
        process = await asyncio.create_subprocess_exec(
            *argv,
            env=self.env,
            cwd=self.root,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        child = Child(name, process)
        self.children.append(child)
        log.info("run.started", process=name, pid=process.pid)
        return child

    async def _start_nats(self) -> None:
        port = self.plan.embedded_nats_port
        if port is None:
            return
        if not _port_free(port):
            port = _free_port()
        store = self.var / "nats"
        store.mkdir(exist_ok=True)
        await self._spawn(
            "nats",
            str(BIN / "nats-server"),
            "-a",
            "127.0.0.1",
            "-p",
            str(port),
            "-js",
            "-sd",
            str(store),
            "-l",
            str(self.var / "nats.log"),
        )
        self.env["NATS_URL"] = f"nats://127.0.0.1:{port}"
        await _wait_for_tcp(port, 30)

    async def _migrate(self) -> bool:
        """`logbook migrate` once for the three services, which then start without migrating:
        one process loads Alembic and takes the migration lock instead of three."""
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "launcher.cli", "migrate", env=self.env, cwd=self.root
        )
        if await process.wait() != 0:
            return False  # it said why on standard error
        self.env["MIGRATE_ON_START"] = "false"
        return True

    async def start(self) -> bool:
        """Start every process in dependency order; False when the database could not be
        prepared (nothing is left running)."""
        await self._start_nats()
        if self.plan.migrate and not await self._migrate():
            return False
        for service in SERVICES:
            await self._spawn(service, sys.executable, "-m", "launcher.cli", "serve", service)
        await self._spawn(
            "gateway",
            str(BIN / "caddy"),
            "run",
            "--config",
            str(self.root / "deploy" / "Caddyfile"),
            "--adapter",
            "caddyfile",
        )
        return True

    async def wait_ready(self) -> bool:
        """Poll /health until it answers 200 or a child dies."""
        # The health service itself: the gateway may answer on a domain name, not 127.0.0.1.
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline and not self._dead():
            if await _answers_ok(self.plan.health_port, "/health"):
                return True
            await asyncio.sleep(0.5)
        return False

    def _dead(self) -> Child | None:
        return next((c for c in self.children if c.process.returncode is not None), None)

    async def supervise(self, stop: asyncio.Event) -> int:
        """Block until a stop signal or a child's death; returns the exit code."""
        waits = {asyncio.create_task(c.process.wait()): c for c in self.children}
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([*waits, stopper], return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        for task in done:
            if task in waits:
                child = waits[task]
                log.error(
                    "run.child_died",
                    process=child.name,
                    code=child.process.returncode,
                    action="stopping the rest of the platform",
                )
                sys.stderr.write(
                    f"ERROR: {child.name} exited with code "
                    f"{child.process.returncode}; stopping the platform.\n"
                )
                return 1
        return 0

    async def stop(self) -> None:
        """SIGTERM everyone (gateway first), then SIGKILL what is still running."""
        for child in reversed(self.children):
            if child.process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    child.process.send_signal(signal.SIGTERM)
        for child in reversed(self.children):
            try:
                await asyncio.wait_for(child.process.wait(), STOP_GRACE_SECONDS)
            except TimeoutError:
                log.warning("run.kill", process=child.name)
                with contextlib.suppress(ProcessLookupError):
                    child.process.kill()
                await child.process.wait()
        log.info("run.stopped")

    async def run(self) -> int:
        """Start, report, supervise and stop the whole platform."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, stop.set)
        try:
            if not await self.start():
                return 1
            ready = asyncio.create_task(self.wait_ready())
            supervise = asyncio.create_task(self.supervise(stop))
            done, _ = await asyncio.wait([ready, supervise], return_when=asyncio.FIRST_COMPLETED)
            if ready in done and ready.result():
                sys.stdout.write(_banner(self.plan.gateway_port))
                sys.stdout.flush()
            return await supervise
        finally:
            await self.stop()


def _die_with_parent() -> None:
    # Runs in the child before exec: if the supervisor is killed outright (SIGKILL, OOM),
    # Linux sends the child SIGTERM instead of leaving half a platform running.
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


async def _answers_ok(port: int, path: str) -> bool:
    """Whether 127.0.0.1:port answers 200 to a GET of `path` within 3 s.

    One request line and one status line: an HTTP client library would cost the supervisor,
    which stays up as long as the platform, a few MiB for this alone.
    """
    try:
        async with asyncio.timeout(3):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
                writer.write(b"Connection: close\r\n\r\n")
                status_line = await reader.readline()
            finally:
                writer.close()
    except (OSError, TimeoutError):
        return False
    return status_line.split(b" ")[1:2] == [b"200"]


async def _wait_for_tcp(port: int, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not _port_free(port):
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {within} s")


def _banner(gateway_port: int) -> str:
    base = f"http://127.0.0.1:{gateway_port}"
    return "\n".join(
        [
            "",
            "The Logbook is running.",
            f"  Gateway (frontend and API): {base}/",
            f"  Health:                     {base}/health",
            f"  API base:                   {base}/api/v1",
            "Press Ctrl-C to stop.",
            "",
        ]
    )


def supervise(plan_json: str) -> int:
    """Run the planned platform in this process, with this process's environment."""
    plan = Plan.from_json(plan_json)
    configure_logging("run", log_format=plan.log_format)
    return asyncio.run(Supervisor(plan, dict(os.environ)).run())
