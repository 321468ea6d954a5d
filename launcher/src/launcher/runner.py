"""`logbook run`: plans the whole platform with the full settings, then supervises it.

The plan (security checks, free ports, the children's environment) needs the settings and their
validation; watching the children does not. Once planned, the process replaces itself with
`logbook run`'s supervisor (launcher.supervisor), same process id, which stays up as long as
the platform without the settings' code in memory.
"""

import os
import sys
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

import structlog

from launcher.ports import SERVICES, port_in_use, port_of, report_port_in_use
from launcher.supervisor import Plan
from shared.security_checks import enforce, generate_env_block
from shared.settings import Settings, load_settings

log = structlog.get_logger("launcher.runner")


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
    """What `logbook run` starts and how: NATS (unless NATS_URL is set), services and Caddy."""

    def __init__(self, settings: Settings, root: Path) -> None:
        self.settings = settings
        self.root = root
        self.var = root / settings.data_dir
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

    def plan(self) -> Plan:
        """What the supervisor needs of the settings."""
        return Plan(
            root=str(self.root),
            var=str(self.var),
            embedded_nats_port=self.settings.embedded_nats_port if self.embedded_nats else None,
            health_port=self.settings.health_port,
            gateway_port=self.settings.gateway_port,
            log_format=self.settings.log_format,
            migrate=self.settings.migrate_on_start,
        )


def run_platform() -> int:
    """Check and plan the platform, then become its supervisor; returns only when refusing."""
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
    platform.prepare_env()
    return become_supervisor(platform)  # never returns: this process becomes the supervisor


def become_supervisor(platform: Platform) -> NoReturn:
    """Replace this process with the planned platform's supervisor (same process id, the
    children's environment, the plan on its command line)."""
    sys.stdout.flush()
    sys.stderr.flush()
    argv = [sys.executable, "-m", "launcher.cli", "run", "--plan", platform.plan().to_json()]
    os.execve(sys.executable, argv, platform.env)  # noqa: S606 - this interpreter, our module
