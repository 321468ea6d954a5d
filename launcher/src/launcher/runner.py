"""`logbook run`: the whole platform on one machine, supervised in the foreground."""

import asyncio
import contextlib
import ctypes
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import structlog

from launcher.ports import SERVICES, port_in_use, port_of, report_port_in_use
from shared.security_checks import enforce, generate_env_block
from shared.settings import Settings, load_settings

log = structlog.get_logger("launcher.runner")
BIN = Path(sys.executable).parent
STOP_GRACE_SECONDS = 10.0
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
READY_TIMEOUT_SECONDS = 180.0


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


def gateway_port(settings: Settings) -> tuple[int, str] | None:
    """The port the gateway listens on and the setting that chooses it (None: Caddy will say)."""
    site = settings.gateway_site
    if site is None:
        return settings.gateway_port, "GATEWAY_PORT"
    try:
        port = urlsplit(site if "://" in site else f"https://{site}").port
    except ValueError:
        return None
    default = 80 if site.startswith("http://") else 443  # Caddy's ports for a site without one
    return port or default, "GATEWAY_SITE"


def project_root() -> Path:
    """The checkout (the folder holding deploy/Caddyfile), else the current directory."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "deploy" / "Caddyfile").is_file():
            return parent
    return Path.cwd()


def development_secrets(settings: Settings, var: Path) -> dict[str, str]:
    """Keys kept under var/ so encrypted development data stays readable across restarts."""
    path = var / "dev-secrets.env"
    if not path.exists():
        path.write_text(generate_env_block() + "\n", encoding="utf-8")
        path.chmod(0o600)
        log.warning(
            "security.development_secrets_created",
            path=str(path),
            hint="development only; set real secrets for production",
        )
    pairs = (
        line.split("=", 1)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    # Only what the environment and .env leave unset.
    return {key: value for key, value in pairs if getattr(settings, key.lower(), None) is None}


class Platform:
    """Starts NATS (unless NATS_URL is set), the three services and Caddy; stops them together."""

    def __init__(self, settings: Settings, root: Path) -> None:
        self.settings = settings
        self.root = root
        self.var = root / settings.data_dir
        self.children: list[Child] = []
        self.env = dict(os.environ)

    def checked_settings(self) -> Settings:
        """The settings with the development keys the children will use filled in."""
        if self.settings.is_production_like:
            return self.settings
        self.var.mkdir(exist_ok=True)
        keys = development_secrets(self.settings, self.var)
        return self.settings.with_secrets(**{name.lower(): value for name, value in keys.items()})

    def prepare_env(self) -> None:
        """The children's environment: data folder, database, NATS, gateway settings."""
        self.var.mkdir(exist_ok=True)
        if not self.settings.is_production_like:
            self.env.update(development_secrets(self.settings, self.var))
        # Decided from the settings, which include .env, not from the process environment alone.
        if self.settings.database_url is None and not self.settings.db_host:
            self.env["DATABASE_URL"] = f"sqlite+aiosqlite:///{self.var / 'logbook.db'}"
        if self.settings.frontend_dist is not None:
            self.env["FRONTEND_DIST"] = str(self.settings.frontend_dist.resolve())
        site = self.settings.gateway_site or f"http://127.0.0.1:{self.settings.gateway_port}"
        # A development gateway on plain http: browsers would not send Secure cookies back.
        plain_dev = (
            site.startswith("http://")
            and not self.settings.is_production_like
            and self.settings.cookie_secure is None
        )
        secure = "; Secure" if self.settings.cookies_secure and not plain_dev else ""
        self.env.update(
            {
                "AUTH_UPSTREAM": f"127.0.0.1:{self.settings.auth_port}",
                "API_UPSTREAM": f"127.0.0.1:{self.settings.api_port}",
                "HEALTH_UPSTREAM": f"127.0.0.1:{self.settings.health_port}",
                "GATEWAY_SITE": site,
                "GATEWAY_BIND": self.settings.gateway_bind,
                "COOKIE_SECURE_ATTR": secure,
                "METRICS_PUBLIC": "true" if self.settings.metrics_public else "false",
                "GATEWAY_ACCESS_LOG": "true" if self.settings.gateway_access_log else "false",
                "ACCESS_COOKIE_MAX_AGE": str(self.settings.access_token_expire_minutes * 60),
                "REFRESH_COOKIE_MAX_AGE": str(self.settings.refresh_token_expire_days * 86400),
                "PYTHONUNBUFFERED": "1",
            }
        )

    def ports_in_use(self) -> list[tuple[int, str]]:
        """The ports the platform would listen on that something else holds, with their setting."""
        settings = self.settings
        wanted = {(settings.host, port_of(settings, s), f"{s.upper()}_PORT") for s in SERVICES}
        gateway = gateway_port(settings)
        if gateway is not None:
            wanted |= {(host, *gateway) for host in settings.gateway_bind.split()}
        taken = {(port, setting) for host, port, setting in wanted if port_in_use(host, port)}
        return sorted(taken)

    @property
    def embedded_nats(self) -> bool:
        """A private NATS runs unless NATS_URL is set (environment or .env)."""
        return "nats_url" not in self.settings.model_fields_set

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
        if not self.embedded_nats:
            return
        port = self.settings.embedded_nats_port
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

    async def start(self) -> None:
        """Start every process in dependency order."""
        self.prepare_env()
        await self._start_nats()
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

    async def wait_ready(self) -> bool:
        """Poll /health until it answers 200 or a child dies."""
        # The health service itself: the gateway may answer on a domain name, not 127.0.0.1.
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline and not self._dead():
            if await _answers_ok(self.settings.health_port, "/health"):
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


def _banner(settings: Settings) -> str:
    base = f"http://127.0.0.1:{settings.gateway_port}"
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


async def run_platform() -> int:
    """Start, report, supervise and stop the whole platform."""
    settings = load_settings()
    platform = Platform(settings, project_root())
    # Checked with the development keys the children will get, before any port opens. The
    # platform keeps the settings as loaded: the keys reach the children through their env.
    enforce(platform.checked_settings())
    # Before anything starts: a gateway sharing a port with another platform would not fail.
    taken = platform.ports_in_use()
    for port, setting in taken:
        report_port_in_use(port, setting)
    if taken:
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    try:
        await platform.start()
        ready = asyncio.create_task(platform.wait_ready())
        supervise = asyncio.create_task(platform.supervise(stop))
        done, _ = await asyncio.wait([ready, supervise], return_when=asyncio.FIRST_COMPLETED)
        if ready in done and ready.result():
            sys.stdout.write(_banner(settings))
            sys.stdout.flush()
        return await supervise
    finally:
        await platform.stop()
