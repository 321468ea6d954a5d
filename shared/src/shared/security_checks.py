"""Startup security checks (spec/auth.md §7): findings, the production guard, dev secrets."""

import re
import secrets
import sys
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

import structlog

from shared.settings import Settings, source_of

Severity = Literal["CRITICAL", "WARNING"]
GEN_KEY = "openssl rand -hex 32"
GEN_SALT = "openssl rand -hex 16"
EXIT_CONFIG = 78  # EX_CONFIG from sysexits.h: the configuration is unusable
MIN_KEY_LENGTH = 32
MIN_SALT_LENGTH = 16
# Fewer distinct characters than this means a typed pattern, not a random value. The salt asks for
# fewer: 1 random 32-hex salt (`openssl rand -hex 16`) in 10,000 has under 10, 1 in 30 million
# under 8, and a salt cannot be rotated without making encrypted data unreadable.
MIN_KEY_DISTINCT = 10
MIN_SALT_DISTINCT = 8
# Markers of values copied from documentation or sample files rather than generated; matched
# against the lower-cased value with spaces and hyphens read as underscores.
PLACEHOLDER_MARKERS = (
    "insecure_default",
    "change_me",
    "changeme",
    "example",
    "replace_me",
    "your_",
    "placeholder",
)
# One short word said again and again ("password" * 4), separators ignored.
REPEATED_WORD = re.compile(r"([a-z]{2,16}?)\1+")


@dataclass(frozen=True)
class SecretRule:
    """How one secret setting is checked and how to generate a good value."""

    name: str
    min_length: int
    min_distinct: int
    command: str


SECRET_RULES = (
    SecretRule("SECRET_KEY", MIN_KEY_LENGTH, MIN_KEY_DISTINCT, GEN_KEY),
    SecretRule("ENCRYPTION_KEY", MIN_KEY_LENGTH, MIN_KEY_DISTINCT, GEN_KEY),
    SecretRule("ENCRYPTION_SALT", MIN_SALT_LENGTH, MIN_SALT_DISTINCT, GEN_SALT),
)


@dataclass(frozen=True)
class Finding:
    """One broken rule: which setting, what is wrong and how to fix it."""

    severity: Severity
    setting: str
    rule: str
    fix: str = ""

    def line(self) -> str:
        """The one log line of this finding."""
        text = f"{self.severity}: {self.setting} {self.rule}"
        return f"{text} (fix: {self.fix})" if self.fix else text


def is_placeholder(value: str) -> bool:
    """True for values that look copied from a sample rather than generated."""
    normalised = re.sub(r"[\s-]", "_", value.strip().lower())
    if any(marker in normalised for marker in PLACEHOLDER_MARKERS):
        return True
    word = REPEATED_WORD.fullmatch(normalised.replace("_", ""))
    return word is not None and len(set(word[1])) > 1  # "aaaa…" is low variety, not a word


def _secret_problem(value: str, rule: SecretRule) -> str | None:
    stripped = value.strip()
    if not value:
        return "is missing"
    if len(stripped) < rule.min_length:
        return f"is shorter than {rule.min_length} characters"
    if is_placeholder(stripped):
        return "is a placeholder or example value"
    if len(set(stripped)) < rule.min_distinct:
        return f"is low-variety: fewer than {rule.min_distinct} distinct characters"
    return None


def _secret_findings(settings: Settings) -> list[Finding]:
    findings = []
    for rule in SECRET_RULES:
        secret = getattr(settings, rule.name.lower())
        problem = _secret_problem(secret.get_secret_value() if secret is not None else "", rule)
        if problem:
            fix = f"set {rule.name}=$({rule.command})"
            findings.append(Finding("CRITICAL", rule.name, problem, fix))
    return findings


def _database_findings(settings: Settings) -> list[Finding]:
    url = urlsplit(settings.resolved_database_url())
    if not url.scheme.startswith("mysql"):
        return []
    findings = []
    password = url.password or ""
    if not password or is_placeholder(password):
        findings.append(
            Finding(
                "CRITICAL",
                "DB_PASSWORD",
                "is empty or a placeholder",
                "give the database user a strong password",
            )
        )
    query = parse_qs(url.query)
    tls_on = settings.db_ssl_ca is not None or "ssl" in query or "ssl_ca" in query
    findings += _tls_findings(settings, "DB_SSL_CA", tls_on, has_ca=settings.db_ssl_ca is not None)
    return findings


def _redis_findings(settings: Settings) -> list[Finding]:
    if settings.redis_url is None:
        return []
    url = urlsplit(settings.redis_url.get_secret_value())
    password = unquote(url.password or "") or settings.redis_password.get_secret_value()
    findings = []
    if settings.is_production_like and (not password or is_placeholder(password)):
        rule = "is a placeholder or example value" if password else "is empty in production"
        fix = "set a Redis password (requirepass) and put it in REDIS_URL"
        findings.append(Finding("CRITICAL", "REDIS_PASSWORD", rule, fix))
    ca_given = "ssl_ca_certs" in parse_qs(url.query)
    findings += _tls_findings(settings, "REDIS_URL", url.scheme == "rediss", has_ca=ca_given)
    return findings


def _tls_findings(settings: Settings, name: str, tls_on: bool, *, has_ca: bool) -> list[Finding]:
    if not settings.is_production_like:
        return []
    if not tls_on:
        severity: Severity = "CRITICAL" if settings.security_require_tls else "WARNING"
        return [Finding(severity, name, "connection is not encrypted (TLS off)")]
    if not has_ca:
        severity = "WARNING" if settings.security_allow_unverified_tls else "CRITICAL"
        return [Finding(severity, name, "uses TLS without a CA file (server not verified)")]
    return []


def _production_findings(settings: Settings) -> list[Finding]:
    if not settings.is_production_like:
        return []
    checks: list[tuple[bool, Severity, str, str]] = [
        (not settings.rate_limit_enabled, "CRITICAL", "RATE_LIMIT_ENABLED", "is false"),
        (
            settings.rate_limit_multiplier > 1,
            "WARNING",
            "RATE_LIMIT_MULTIPLIER",
            "is above 1: sign-in limits are relaxed",
        ),
        (settings.debug, "CRITICAL", "DEBUG", "is true"),
        (
            settings.password_hash_cost != "standard",  # noqa: S105 - a cost, not a password
            "CRITICAL",
            "PASSWORD_HASH_COST",
            "is not standard: stolen password hashes would be cheap to crack",
        ),
        (settings.db_echo, "CRITICAL", "DB_ECHO", "is true (SQL would reach the logs)"),
        (not settings.security_enforce_https, "CRITICAL", "SECURITY_ENFORCE_HTTPS", "is false"),
        # Issue #5 lets an operator publish the docs in production on purpose.
        (settings.enable_docs is True, "WARNING", "ENABLE_DOCS", "is true: API docs are public"),
    ]
    return [Finding(sev, name, rule) for bad, sev, name, rule in checks if bad]


def run_checks(settings: Settings) -> list[Finding]:
    """Every finding for these settings, criticals first."""
    findings: list[Finding] = []
    if settings.algorithm != "HS256":
        findings.append(Finding("CRITICAL", "ALGORITHM", "must be HS256", "set ALGORITHM=HS256"))
    findings += _secret_findings(settings)
    findings += _database_findings(settings)
    if "*" in settings.allowed_origins:
        findings.append(
            Finding("CRITICAL", "ALLOWED_ORIGINS", "contains '*'", "list exact origins")
        )
    findings += _redis_findings(settings)
    findings += _production_findings(settings)
    return sorted(findings, key=lambda f: f.severity != "CRITICAL")


def blocks_startup(settings: Settings, findings: list[Finding]) -> bool:
    """Criticals block production and staging, and development when asked to."""
    has_critical = any(f.severity == "CRITICAL" for f in findings)
    return has_critical and (
        settings.is_production_like or settings.security_block_insecure_defaults
    )


def failure_message(settings: Settings, findings: list[Finding]) -> str:
    """The `SECURITY FAILURE` summary and how to generate good values."""
    critical = [f for f in findings if f.severity == "CRITICAL"]
    names = ", ".join(f.setting for f in critical)
    why = (
        f"ENVIRONMENT={settings.environment}"
        if settings.is_production_like
        else "SECURITY_BLOCK_INSECURE_DEFAULTS=true"
    )
    lines = [
        f"SECURITY FAILURE: {why} with {len(critical)} critical issue(s): {names}. "
        "Set these variables (environment or .env) and start again.",
        "  Generate secrets with:",
        f"    SECRET_KEY=$({GEN_KEY})",
        f"    ENCRYPTION_KEY=$({GEN_KEY})",
        f"    ENCRYPTION_SALT=$({GEN_SALT})",
        "  or run `logbook gen-secrets` for a ready .env block.",
    ]
    lines += [f"  {f.setting}: value from {source_of(f.setting)}" for f in critical]
    return "\n".join(lines)


def with_development_secrets(settings: Settings) -> tuple[Settings, list[str]]:
    """Outside production, fill missing secrets with throwaway values; name what was generated.

    Not with SECURITY_BLOCK_INSECURE_DEFAULTS: whoever asks development to block wants missing
    secrets reported as criticals (and the start blocked), not papered over.
    """
    if settings.is_production_like or settings.security_block_insecure_defaults:
        return settings, []
    generated: dict[str, str] = {}
    for rule in SECRET_RULES:
        if getattr(settings, rule.name.lower()) is None:
            length = 16 if rule.name == "ENCRYPTION_SALT" else 32
            generated[rule.name.lower()] = secrets.token_hex(length)
    return settings.with_secrets(**generated), sorted(key.upper() for key in generated)


def enforce(settings: Settings) -> Settings:
    """Run the checks at startup; exit before listening when they block. Returns usable settings."""
    log = structlog.get_logger("shared.security")
    settings, generated = with_development_secrets(settings)
    if generated:
        log.warning(
            "security.throwaway_secrets",
            settings=generated,
            hint="development only; data encrypted with them is unreadable after restart",
        )
    findings = run_checks(settings)
    for finding in findings:
        level = log.error if finding.severity == "CRITICAL" else log.warning
        level("security.finding", finding=finding.line())
    if blocks_startup(settings, findings):
        message = failure_message(settings, findings)
        log.critical("security.startup_blocked", reason=message.splitlines()[0])
        sys.stderr.write(message + "\n")
        raise SystemExit(EXIT_CONFIG)
    return settings


def generate_env_block() -> str:
    """A ready-to-paste `.env` block with freshly generated secrets."""
    return "\n".join(
        [
            "# Generated by `logbook gen-secrets`. Keep this file private; never commit it.",
            "# Changing ENCRYPTION_KEY or ENCRYPTION_SALT makes encrypted data unreadable.",
            f"SECRET_KEY={secrets.token_hex(32)}",
            f"ENCRYPTION_KEY={secrets.token_hex(32)}",
            f"ENCRYPTION_SALT={secrets.token_hex(16)}",
        ]
    )
