"""Settings from the environment and `.env`, shared by every service and the CLI."""

import os
import sys
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Environment = Literal["development", "test", "staging", "production"]
SQLITE_DEFAULT = "sqlite+aiosqlite:///var/logbook.db"


class Settings(BaseSettings):
    """Flat environment names, as in ARCHITECTURE.md; secrets are `SecretStr`."""

    model_config = SettingsConfigDict(env_file=".env", frozen=True, extra="ignore")

    environment: Environment = "development"
    debug: bool = False

    # Database: DATABASE_URL wins; else DB_HOST & co build a MySQL URL; else embedded SQLite.
    database_url: SecretStr | None = None
    db_host: str | None = None
    db_port: int = 3306
    db_user: str = "logbook"
    db_password: SecretStr = SecretStr("")
    db_name: str = "logbook"
    db_echo: bool = False
    db_ssl_ca: str | None = None
    db_wait_seconds: float = 60.0
    db_pool_size: int = 10
    migrate_on_start: bool = True

    redis_url: SecretStr | None = None
    redis_password: SecretStr = SecretStr("")
    # One server, or a cluster's servers separated by commas (any one of them is enough to start).
    nats_url: str = "nats://127.0.0.1:4222"
    nats_stream: str = "LOGBOOK"
    # Servers of a JetStream cluster holding a copy of the stream (1, or 3 on a 3-node cluster).
    nats_stream_replicas: int = Field(default=1, ge=1, le=5)

    secret_key: SecretStr | None = None
    encryption_key: SecretStr | None = None
    encryption_salt: SecretStr | None = None
    # Keys the audit hash chain; SECRET_KEY when unset (app-shell spec §3.2).
    audit_log_signing_key: SecretStr | None = None
    algorithm: str = "HS256"
    access_token_expire_minutes: int = 30
    refresh_token_expire_days: int = 7
    # Names of the original backend's settings, so an existing .env keeps its meaning.
    hipaa_session_timeout_minutes: int = 15
    hipaa_maximum_password_age_days: int = 90
    hipaa_password_history_count: int = 12
    hipaa_minimum_password_age_days: int = 1
    max_login_attempts: int = 5
    account_lockout_duration_minutes: int = 15
    suspicious_ip_max_failures: int = 50
    suspicious_ip_window_seconds: int = 3600
    suspicious_ip_block_seconds: int = 900
    # "minimal" makes Argon2id nearly free, for test platforms only; production refuses it.
    password_hash_cost: Literal["standard", "minimal"] = "standard"  # noqa: S105 - not a secret

    allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Peers allowed to state the client's address (X-Real-IP): the gateway. IPs or CIDRs.
    trusted_proxy_ips: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1", "::1"]
    )
    rate_limit_enabled: bool = True
    # Multiplies every auth bucket's request count (spec/auth.md §5.4); test stacks raise it.
    rate_limit_multiplier: int = Field(default=1, ge=1)
    enable_docs: bool | None = None
    # Swagger UI and Redoc files, fetched by `make install` (served locally: docs work offline).
    docs_assets_dir: Path = Path("build/docs-assets")
    security_enforce_https: bool = True
    security_require_tls: bool = False
    security_allow_unverified_tls: bool = False
    security_block_insecure_defaults: bool = False
    cookie_secure: bool | None = None

    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    log_file: Path | None = None

    # This instance ticks the scheduled work (daily jobs). Every instance may: each run happens
    # once however many tick. Off only where an instance must never run them.
    scheduled_work_enabled: bool = True
    # Live inventory sockets one organization may hold on one api instance; past it a new
    # socket is closed with 1013 ("try again later") instead of starving the others.
    inventory_sockets_per_organization: int = Field(default=200, ge=1)
    # Seconds between the pings a service sends on an idle WebSocket (and how long it waits for
    # the answer): they keep proxies in front of the gateway from closing quiet sockets, and end
    # sockets whose browser vanished.
    websocket_ping_seconds: float = Field(default=20.0, gt=0, le=300)

    # Error reports older than this are deleted as new ones arrive (spec §4.1: 180, at least 30).
    error_report_retention_days: int = Field(default=180, ge=30)

    sentry_enabled: bool = False
    sentry_dsn: SecretStr | None = None

    # Password-reset mail: links point at the frontend; without SMTP_HOST nothing is sent.
    frontend_url: str = "http://127.0.0.1:8080"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "The Logbook <noreply@localhost>"
    smtp_starttls: bool = True

    host: str = "127.0.0.1"
    auth_port: int = 8001
    api_port: int = 8002
    health_port: int = 8003
    gateway_port: int = 8080
    gateway_site: str | None = None  # Caddy's site address; default http://127.0.0.1:GATEWAY_PORT
    gateway_bind: str = "127.0.0.1"
    metrics_public: bool = False  # the gateway routes /metrics to the health service
    gateway_access_log: bool = False  # the gateway logs every request, not only its own answers
    health_check_timeout: float = 2.0
    # Where the health service reaches each service's /internal/health; default HOST:<port>.
    auth_internal_url: str | None = None
    api_internal_url: str | None = None
    frontend_dist: Path | None = None
    data_dir: Path = Path("var")  # `make run`: SQLite file, NATS store, dev secrets
    embedded_nats_port: int = 4223  # beside a system NATS on 4222

    @field_validator("allowed_origins", "trusted_proxy_ips", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @property
    def is_production_like(self) -> bool:
        """Production and staging enforce the security checks."""
        return self.environment in ("production", "staging")

    @property
    def docs_enabled(self) -> bool:
        """API docs default on, except in production-like environments."""
        return self.enable_docs if self.enable_docs is not None else not self.is_production_like

    @property
    def cookies_secure(self) -> bool:
        """COOKIE_SECURE if set; always in production; in development unless an origin is http."""
        if self.cookie_secure is not None:
            return self.cookie_secure
        if self.is_production_like:
            return True
        return not any(origin.startswith("http://") for origin in self.allowed_origins)

    def with_secrets(self, **values: str) -> "Settings":
        """A copy with some secret settings replaced (names in lower case)."""
        return self.model_copy(update={name: SecretStr(value) for name, value in values.items()})

    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL of the database this process uses."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        if self.db_host:
            password = quote(self.db_password.get_secret_value(), safe="")
            user = quote(self.db_user, safe="")
            return (
                f"mysql+asyncmy://{user}:{password}@{self.db_host}:{self.db_port}/{self.db_name}"
                "?charset=utf8mb4"
            )
        return SQLITE_DEFAULT


def source_of(name: str) -> str:
    """Where a setting came from: process environment, `.env` file or built-in default."""
    if name.upper() in os.environ:
        return "process environment"
    env_file = Path(".env")
    if env_file.is_file():
        for line in env_file.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith(f"{name.upper()}="):
                return ".env file"
    return "built-in default"


def load_settings() -> Settings:
    """Settings from environment and `.env`; a bad value exits 78 with one line per setting."""
    try:
        return Settings()
    except ValidationError as error:
        reasons: dict[str, str] = {}  # one line per setting, even if it broke several rules
        for problem in error.errors(include_url=False, include_input=False):
            name = str(problem["loc"][0]) if problem["loc"] else "settings"
            reasons.setdefault(name.upper(), problem["msg"])
        for name, reason in reasons.items():
            sys.stderr.write(f"ERROR: invalid setting {name}: {reason}\n")
        # 78 is EX_CONFIG (sysexits.h), as `shared.security_checks.EXIT_CONFIG`.
        raise SystemExit(78) from None
