"""Startup security checks (spec/auth.md §7) as pure functions over Settings, and `enforce`."""

import re
import secrets
from typing import Any

import pytest
from structlog.testing import capture_logs

from shared.security_checks import (
    EXIT_CONFIG,
    Finding,
    blocks_startup,
    enforce,
    generate_env_block,
    run_checks,
    with_development_secrets,
)
from shared.settings import Settings

SECRET_NAMES = ("SECRET_KEY", "ENCRYPTION_KEY", "ENCRYPTION_SALT")
MYSQL_URL = "mysql+asyncmy://logbook:Str0ng-db-pass-4f9a@db.internal:3306/logbook"


def good_secrets() -> dict[str, str]:
    return {
        "secret_key": secrets.token_hex(32),
        "encryption_key": secrets.token_hex(32),
        "encryption_salt": secrets.token_hex(16),
    }


def make(**values: Any) -> Settings:
    """Settings from these values only: no `.env`, no process environment (see conftest)."""
    return Settings(_env_file=None, **{**good_secrets(), **values})


def severity_of(findings: list[Finding], setting: str) -> str | None:
    matching = [f.severity for f in findings if f.setting == setting]
    assert len(matching) <= 1, matching
    return matching[0] if matching else None


def criticals(findings: list[Finding]) -> set[str]:
    return {f.setting for f in findings if f.severity == "CRITICAL"}


BAD_KEYS = {
    "missing": None,
    "empty": "",
    "short": "a1" * 15 + "b",  # 31 characters
    "change_me": "CHANGE_ME_" + "0" * 40,
    "insecure_default": "INSECURE_DEFAULT_secret_key_do_not_use_in_production",
    "example": "example-secret-key-0123456789abcdef0123456789",
}
BAD_SALTS = {
    "missing": None,
    "short": "0123456789abcde",  # 15 characters
    "change_me": "CHANGE_ME_SALT_0123456789",
    "insecure_default": "INSECURE_DEFAULT_SALT_01234",
    "example": "example_salt_0123456789abcdef",
}


def bad_secret_cases() -> list[Any]:
    cases = []
    for environment in ("production", "staging"):
        for name in ("SECRET_KEY", "ENCRYPTION_KEY"):
            cases += [
                pytest.param(environment, name, value, id=f"{environment}-{name}-{kind}")
                for kind, value in BAD_KEYS.items()
            ]
        cases += [
            pytest.param(environment, "ENCRYPTION_SALT", value, id=f"{environment}-salt-{kind}")
            for kind, value in BAD_SALTS.items()
        ]
    return cases


class TestSecretRules:
    @pytest.mark.parametrize(("environment", "name", "value"), bad_secret_cases())
    def test_bad_secret_is_critical_and_blocks_production_like_startup(
        self, environment: str, name: str, value: str | None
    ) -> None:
        settings = make(environment=environment, **{name.lower(): value})

        findings = run_checks(settings)

        assert criticals(findings) == {name}
        finding = next(f for f in findings if f.setting == name)
        command = "openssl rand -hex 16" if name == "ENCRYPTION_SALT" else "openssl rand -hex 32"
        assert command in finding.line()
        assert blocks_startup(settings, findings)

    def test_generated_secrets_of_minimum_length_pass(self) -> None:
        # Fixed values: a random 16-character hex salt has < 10 distinct characters 1 time in 4.
        settings = make(
            environment="production",
            secret_key="5e0b8c2a9f4d71e3" * 2,  # exactly 32 characters
            encryption_key="c81f6a3e09d2b745" * 2,
            encryption_salt="7d2a9e04c6b15f38",  # exactly 16 characters
        )

        findings = run_checks(settings)

        assert findings == []
        assert not blocks_startup(settings, findings)

    def test_finding_line_has_severity_setting_rule_and_fix(self) -> None:
        findings = run_checks(make(environment="production", secret_key=None))

        assert [f.line() for f in findings] == [
            "CRITICAL: SECRET_KEY is missing (fix: set SECRET_KEY=$(openssl rand -hex 32))"
        ]


WEAK_SECRETS = {
    "one-character": "a" * 32,
    "spaces": " " * 32,
    "repeated-secret": "secret" * 6,
    "repeated-change-me": "Change Me " * 4,
    "repeated-password": "password" * 4,
}


class TestWeakSecrets:
    @pytest.mark.parametrize("name", SECRET_NAMES)
    @pytest.mark.parametrize("value", WEAK_SECRETS.values(), ids=WEAK_SECRETS.keys())
    def test_weak_secret_is_critical_in_production(self, name: str, value: str) -> None:
        settings = make(environment="production", **{name.lower(): value})

        findings = run_checks(settings)

        assert criticals(findings) == {name}
        command = "openssl rand -hex 16" if name == "ENCRYPTION_SALT" else "openssl rand -hex 32"
        assert command in next(f for f in findings if f.setting == name).line()
        assert blocks_startup(settings, findings)

    @pytest.mark.parametrize("padding", [" " * 20, "\t\n" * 10])
    def test_whitespace_does_not_count_towards_the_length(self, padding: str) -> None:
        findings = run_checks(make(secret_key=padding + "0123456789abcdef" + padding))

        assert [f.rule for f in findings] == ["is shorter than 32 characters"]

    @pytest.mark.parametrize("value", ["a" * 32, "123456789" * 4, "0a1b2c3d4" * 4])
    def test_fewer_than_ten_distinct_characters_is_low_variety(self, value: str) -> None:
        findings = run_checks(make(secret_key=value))

        assert [f.line() for f in findings] == [
            "CRITICAL: SECRET_KEY is low-variety: fewer than 10 distinct characters"
            " (fix: set SECRET_KEY=$(openssl rand -hex 32))"
        ]

    @pytest.mark.parametrize(
        "marker", ["Change Me", "change-me", "CHANGE_ME", "change me", "Insecure-Default"]
    )
    def test_placeholder_markers_match_in_any_case_and_with_any_separator(
        self, marker: str
    ) -> None:
        findings = run_checks(make(secret_key=f"{marker} 7f3e9a1c5b2d8046e1b7c93a05d4f268"))

        assert [(f.setting, f.rule) for f in findings] == [
            ("SECRET_KEY", "is a placeholder or example value")
        ]

    @pytest.mark.parametrize("value", ["password" * 4, "secret" * 6, "Secret-" * 6, "ab" * 16])
    def test_one_short_word_repeated_is_a_placeholder(self, value: str) -> None:
        findings = run_checks(make(encryption_key=value))

        assert [(f.setting, f.rule) for f in findings] == [
            ("ENCRYPTION_KEY", "is a placeholder or example value")
        ]

    def test_generated_salt_with_only_nine_distinct_characters_passes(self) -> None:
        # 1 random 32-character hex salt in 10,000 has < 10 distinct characters; it must pass.
        salt = "3b97cb3878fcc2b827f973c203c7b90f"
        assert len(set(salt)) == 9
        settings = make(environment="production", encryption_salt=salt)

        assert run_checks(settings) == []

    def test_many_generated_env_blocks_pass(self) -> None:
        for _ in range(300):
            pairs = [line.split("=", 1) for line in generate_env_block().splitlines()[2:]]
            settings = Settings(
                _env_file=None, environment="production", **{k.lower(): v for k, v in pairs}
            )

            assert run_checks(settings) == []


class TestDevelopment:
    def test_missing_secrets_get_throwaway_values_and_a_warning(self) -> None:
        settings = Settings(_env_file=None, environment="development")

        with capture_logs() as logs:
            usable = enforce(settings)

        warning = next(e for e in logs if e["event"] == "security.throwaway_secrets")
        assert warning["log_level"] == "warning"
        assert sorted(warning["settings"]) == sorted(SECRET_NAMES)
        assert usable.secret_key is not None
        assert re.fullmatch(r"[0-9a-f]{64}", usable.secret_key.get_secret_value())
        assert usable.encryption_key is not None
        assert re.fullmatch(r"[0-9a-f]{64}", usable.encryption_key.get_secret_value())
        assert usable.encryption_salt is not None
        assert re.fullmatch(r"[0-9a-f]{32}", usable.encryption_salt.get_secret_value())
        assert run_checks(usable) == []

    def test_throwaway_values_differ_each_start(self) -> None:
        settings = Settings(_env_file=None, environment="development")

        first, _ = with_development_secrets(settings)
        second, _ = with_development_secrets(settings)

        assert first.secret_key != second.secret_key

    def test_set_secrets_are_kept(self) -> None:
        settings = make(environment="development")

        usable, generated = with_development_secrets(settings)

        assert generated == []
        assert usable.secret_key == settings.secret_key

    def test_criticals_do_not_block_development(self) -> None:
        settings = make(environment="development", secret_key="short", allowed_origins="*")

        with capture_logs() as logs:
            usable = enforce(settings)

        assert criticals(run_checks(usable)) == {"SECRET_KEY", "ALLOWED_ORIGINS"}
        assert not blocks_startup(settings, run_checks(settings))
        assert [e["log_level"] for e in logs if e["event"] == "security.finding"] == [
            "error",
            "error",
        ]

    def test_block_flag_makes_criticals_block_and_names_the_flag(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        settings = make(
            environment="development", security_block_insecure_defaults=True, secret_key="short"
        )

        with capture_logs(), pytest.raises(SystemExit) as stopped:
            enforce(settings)

        assert stopped.value.code == EXIT_CONFIG
        first = capsys.readouterr().err.splitlines()[0]
        assert first.startswith("SECURITY FAILURE: SECURITY_BLOCK_INSECURE_DEFAULTS=true")
        assert "SECRET_KEY" in first

    def test_block_flag_reports_missing_secrets_instead_of_generating_them(self) -> None:
        settings = Settings(
            _env_file=None, environment="development", security_block_insecure_defaults=True
        )

        usable, generated = with_development_secrets(settings)
        findings = run_checks(usable)

        assert generated == []
        assert criticals(findings) == set(SECRET_NAMES)
        assert blocks_startup(usable, findings)

    def test_block_flag_without_criticals_starts(self) -> None:
        settings = make(environment="development", security_block_insecure_defaults=True)

        assert enforce(settings) == settings


class TestTls:
    @pytest.mark.parametrize("environment", ["production", "staging"])
    def test_database_without_tls_is_a_warning(self, environment: str) -> None:
        findings = run_checks(make(environment=environment, database_url=MYSQL_URL))

        assert severity_of(findings, "DB_SSL_CA") == "WARNING"
        assert criticals(findings) == set()

    def test_database_without_tls_is_critical_when_tls_is_required(self) -> None:
        settings = make(environment="production", database_url=MYSQL_URL, security_require_tls=True)

        findings = run_checks(settings)

        assert severity_of(findings, "DB_SSL_CA") == "CRITICAL"
        assert blocks_startup(settings, findings)

    def test_database_with_a_ca_file_has_no_tls_finding(self) -> None:
        settings = make(
            environment="production",
            database_url=MYSQL_URL,
            db_ssl_ca="/etc/ssl/db-ca.pem",
            security_require_tls=True,
        )

        assert run_checks(settings) == []

    def test_redis_without_tls_is_a_warning_unless_tls_is_required(self) -> None:
        url = "redis://:Str0ng-redis-pass@cache.internal:6379/0"

        relaxed = run_checks(make(environment="production", redis_url=url))
        strict = run_checks(
            make(environment="production", redis_url=url, security_require_tls=True)
        )

        assert severity_of(relaxed, "REDIS_URL") == "WARNING"
        assert severity_of(strict, "REDIS_URL") == "CRITICAL"

    def test_redis_tls_without_a_ca_is_critical_unless_unverified_tls_is_allowed(self) -> None:
        url = "rediss://:Str0ng-redis-pass@cache.internal:6379/0"

        strict = run_checks(make(environment="production", redis_url=url))
        allowed = run_checks(
            make(environment="production", redis_url=url, security_allow_unverified_tls=True)
        )
        with_ca = run_checks(
            make(environment="production", redis_url=url + "?ssl_ca_certs=/etc/ssl/ca.pem")
        )

        assert severity_of(strict, "REDIS_URL") == "CRITICAL"
        assert severity_of(allowed, "REDIS_URL") == "WARNING"
        assert with_ca == []

    def test_redis_without_a_password_is_critical_in_production(self) -> None:
        findings = run_checks(
            make(environment="production", redis_url="redis://cache.internal:6379/0")
        )

        assert severity_of(findings, "REDIS_PASSWORD") == "CRITICAL"

    @pytest.mark.parametrize(
        "url",
        [
            "rediss://:CHANGE_ME@cache.internal:6379/0",
            "rediss://:change-me-redis@cache.internal:6379/0",
            "rediss://:Change%20Me@cache.internal:6379/0",
            "rediss://:passwordpassword@cache.internal:6379/0?ssl_ca_certs=/etc/ssl/ca.pem",
        ],
    )
    @pytest.mark.parametrize("environment", ["production", "staging"])
    def test_placeholder_redis_password_in_the_url_is_critical(
        self, environment: str, url: str
    ) -> None:
        findings = run_checks(make(environment=environment, redis_url=url))

        assert severity_of(findings, "REDIS_PASSWORD") == "CRITICAL"

    def test_placeholder_redis_password_setting_is_critical(self) -> None:
        url = "rediss://cache.internal:6379/0?ssl_ca_certs=/etc/ssl/ca.pem"

        bad = run_checks(make(environment="production", redis_url=url, redis_password="CHANGE_ME"))
        good = run_checks(
            make(environment="production", redis_url=url, redis_password="Str0ng-redis-pass")
        )

        assert [f.line() for f in bad] == [
            "CRITICAL: REDIS_PASSWORD is a placeholder or example value"
            " (fix: set a Redis password (requirepass) and put it in REDIS_URL)"
        ]
        assert good == []

    def test_placeholder_redis_password_is_not_checked_in_development(self) -> None:
        findings = run_checks(
            make(environment="development", redis_url="redis://:CHANGE_ME@127.0.0.1:6379/0")
        )

        assert findings == []

    def test_development_has_no_tls_findings(self) -> None:
        findings = run_checks(
            make(
                environment="development",
                database_url=MYSQL_URL,
                redis_url="redis://127.0.0.1:6379/0",
                security_require_tls=True,
            )
        )

        assert findings == []


class TestOtherRules:
    @pytest.mark.parametrize("environment", ["development", "test", "production"])
    @pytest.mark.parametrize("origins", ["*", "https://logbook.example.org, *"])
    def test_wildcard_origin_is_critical_everywhere(self, environment: str, origins: str) -> None:
        findings = run_checks(make(environment=environment, allowed_origins=origins))

        assert severity_of(findings, "ALLOWED_ORIGINS") == "CRITICAL"

    def test_exact_origins_pass(self) -> None:
        settings = make(
            environment="production",
            allowed_origins="https://logbook.example.org,https://admin.example.org",
        )

        assert settings.allowed_origins == [
            "https://logbook.example.org",
            "https://admin.example.org",
        ]
        assert run_checks(settings) == []

    @pytest.mark.parametrize("algorithm", ["", "none", "NONE", "RS256"])
    def test_algorithm_other_than_hs256_is_critical(self, algorithm: str) -> None:
        findings = run_checks(make(algorithm=algorithm))

        assert severity_of(findings, "ALGORITHM") == "CRITICAL"

    @pytest.mark.parametrize(
        ("setting", "value"),
        [
            ("DEBUG", True),
            ("DB_ECHO", True),
            ("RATE_LIMIT_ENABLED", False),
            ("SECURITY_ENFORCE_HTTPS", False),
            ("PASSWORD_HASH_COST", "minimal"),
        ],
    )
    def test_unsafe_production_switch_is_critical_only_in_production(
        self, setting: str, value: object
    ) -> None:
        production = run_checks(make(environment="production", **{setting.lower(): value}))
        development = run_checks(make(environment="development", **{setting.lower(): value}))

        assert severity_of(production, setting) == "CRITICAL"
        assert severity_of(development, setting) is None

    def test_empty_database_password_is_critical(self) -> None:
        findings = run_checks(
            make(environment="development", database_url="mysql+asyncmy://root@127.0.0.1/x")
        )

        assert severity_of(findings, "DB_PASSWORD") == "CRITICAL"

    def test_criticals_come_before_warnings(self) -> None:
        findings = run_checks(
            make(environment="production", database_url=MYSQL_URL, debug=True, secret_key=None)
        )

        severities = [f.severity for f in findings]
        assert severities == sorted(severities, key=lambda s: s != "CRITICAL")
        assert "WARNING" in severities


def test_a_relaxed_rate_limit_is_a_production_warning() -> None:
    settings = Settings(_env_file=None, environment="production", rate_limit_multiplier=10)
    findings = [f for f in run_checks(settings) if f.setting == "RATE_LIMIT_MULTIPLIER"]
    assert [f.severity for f in findings] == ["WARNING"]
