"""`logbook` as an operator runs it: a subprocess with a clean environment in an empty folder."""

import errno
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from shared.security_checks import EXIT_CONFIG, run_checks
from shared.settings import Settings
from tests.support.proxy import free_port

LOGBOOK = Path(sys.executable).parent / "logbook"
EXIT_TIMEOUT = 30.0
SECRET_NAMES = ("SECRET_KEY", "ENCRYPTION_KEY", "ENCRYPTION_SALT")
# From `openssl rand -hex 32`, fixed so that no run meets a rare low-variety value.
GOOD_KEY = "aeac64cc185f7f8798921f239b4ec7683e4bbeb30516b00a529c1b3bcbac5863"


def clean_env(home: Path, **values: str) -> dict[str, str]:
    """Only what an operator would set; cwd is `home`, so no `.env` is read either."""
    return {"PATH": os.environ["PATH"], "HOME": str(home), **values}


def logbook(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LOGBOOK), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=EXIT_TIMEOUT,
        check=False,
    )


def gen_secrets(cwd: Path) -> dict[str, str]:
    result = logbook("gen-secrets", env=clean_env(cwd), cwd=cwd)
    assert result.returncode == 0, result.stderr
    pairs = [line.split("=", 1) for line in result.stdout.splitlines() if "=" in line]
    return {key: value for key, value in pairs if not key.startswith("#")}


def refused(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == errno.ECONNREFUSED


def run_until_exit(
    args: list[str], env: dict[str, str], cwd: Path, ports: list[int]
) -> tuple[int, str]:
    """Run `logbook`, checking all the while and afterwards that none of `ports` ever opened."""
    process = subprocess.Popen(
        [str(LOGBOOK), *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + EXIT_TIMEOUT
    try:
        while process.poll() is None:
            assert time.monotonic() < deadline, "logbook did not exit"
            assert all(refused(port) for port in ports), "a port opened"
            time.sleep(0.02)
        assert all(refused(port) for port in ports), "a port opened"
        _, stderr = process.communicate(timeout=EXIT_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return process.returncode, stderr


def failure_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("SECURITY FAILURE")]
    assert len(lines) == 1, stderr
    return lines[0]


BAD_SECRETS = {
    "missing": {},
    "short": {"SECRET_KEY": "a" * 31, "ENCRYPTION_KEY": "b" * 31, "ENCRYPTION_SALT": "c" * 15},
    "placeholder": {
        "SECRET_KEY": "CHANGE_ME_to_a_long_random_value_0123456789",
        "ENCRYPTION_KEY": "INSECURE_DEFAULT_encryption_key_0123456789",
        "ENCRYPTION_SALT": "CHANGE_ME_SALT_0123456789",
    },
    "example": {
        "SECRET_KEY": "example-secret-key-0123456789abcdef0123456789",
        "ENCRYPTION_KEY": "example-encryption-key-0123456789abcdef01234",
        "ENCRYPTION_SALT": "example-salt-0123456789",
    },
}


class TestServeRefusesInsecureSecrets:
    # Every rule is unit-tested in test_security_checks.py; here each kind of bad value once.
    @pytest.mark.parametrize(
        ("service", "environment", "kind"),
        [
            ("api", "production", "missing"),
            ("health", "production", "short"),
            ("api", "staging", "placeholder"),
            ("health", "staging", "example"),
        ],
    )
    def test_service_exits_before_listening(
        self, tmp_path: Path, service: str, environment: str, kind: str
    ) -> None:
        port = free_port()
        env = clean_env(
            tmp_path,
            ENVIRONMENT=environment,
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'logbook.db'}",
            **{f"{service.upper()}_PORT": str(port)},
            **BAD_SECRETS[kind],
        )

        code, stderr = run_until_exit(["serve", service], env, tmp_path, [port])

        assert code == EXIT_CONFIG
        line = failure_line(stderr)
        assert f"ENVIRONMENT={environment}" in line
        assert all(name in line for name in SECRET_NAMES), line
        assert "openssl rand -hex 32" in stderr
        assert "openssl rand -hex 16" in stderr
        assert not (tmp_path / "logbook.db").exists()  # stopped before touching the database

    def test_only_the_bad_setting_is_named(self, tmp_path: Path) -> None:
        port = free_port()
        env = clean_env(
            tmp_path,
            ENVIRONMENT="production",
            HEALTH_PORT=str(port),
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'logbook.db'}",
            SECRET_KEY=GOOD_KEY,
            ENCRYPTION_KEY=GOOD_KEY[::-1],
            ENCRYPTION_SALT="CHANGE_ME_0123456789abcdef",
        )

        code, stderr = run_until_exit(["serve", "health"], env, tmp_path, [port])

        assert code == EXIT_CONFIG
        line = failure_line(stderr)
        assert "1 critical issue(s): ENCRYPTION_SALT." in line
        assert "SECRET_KEY" not in line

    def test_block_flag_stops_development_and_is_named(self, tmp_path: Path) -> None:
        port = free_port()
        env = clean_env(
            tmp_path,
            ENVIRONMENT="development",
            SECURITY_BLOCK_INSECURE_DEFAULTS="true",
            API_PORT=str(port),
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'logbook.db'}",
            SECRET_KEY="short",
        )

        code, stderr = run_until_exit(["serve", "api"], env, tmp_path, [port])

        assert code == EXIT_CONFIG
        line = failure_line(stderr)
        assert "SECURITY_BLOCK_INSECURE_DEFAULTS=true" in line
        assert all(name in line for name in SECRET_NAMES), line


class TestRunRefusesInsecureSecrets:
    def test_platform_exits_before_any_port_opens(self, tmp_path: Path) -> None:
        ports = {name: free_port() for name in ("GATEWAY", "AUTH", "API", "HEALTH")}
        env = clean_env(
            tmp_path,
            ENVIRONMENT="production",
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'logbook.db'}",
            **{f"{name}_PORT": str(port) for name, port in ports.items()},
        )

        code, stderr = run_until_exit(["run"], env, tmp_path, list(ports.values()))

        assert code != 0
        line = failure_line(stderr)
        assert all(name in line for name in SECRET_NAMES), line
        assert "openssl rand -hex 32" in stderr
        assert "security.startup_blocked" in stderr
        assert "run.started" not in stderr  # no child process (NATS, Caddy, a service) spawned


class TestGenSecrets:
    def test_prints_hex_secrets_of_the_right_lengths(self, tmp_path: Path) -> None:
        values = gen_secrets(tmp_path)

        assert set(values) == set(SECRET_NAMES)
        assert re.fullmatch(r"[0-9a-f]{64}", values["SECRET_KEY"])
        assert re.fullmatch(r"[0-9a-f]{64}", values["ENCRYPTION_KEY"])
        assert re.fullmatch(r"[0-9a-f]{32}", values["ENCRYPTION_SALT"])

    def test_prints_different_secrets_each_run(self, tmp_path: Path) -> None:
        first, second = gen_secrets(tmp_path), gen_secrets(tmp_path)

        assert all(first[name] != second[name] for name in SECRET_NAMES)
        assert first["SECRET_KEY"] != first["ENCRYPTION_KEY"]

    @pytest.mark.parametrize("environment", ["production", "staging"])
    def test_generated_secrets_pass_the_checks(self, tmp_path: Path, environment: str) -> None:
        values: dict[str, Any] = {k.lower(): v for k, v in gen_secrets(tmp_path).items()}
        settings = Settings(_env_file=None, environment=environment, **values)

        findings = run_checks(settings)

        assert [f for f in findings if f.setting in SECRET_NAMES] == []


class TestCheckConfig:
    def test_development_proceeds_with_throwaway_advisories(self, tmp_path: Path) -> None:
        result = logbook("check-config", env=clean_env(tmp_path), cwd=tmp_path)

        assert result.returncode == 0, result.stdout
        lines = result.stdout.splitlines()
        for name in SECRET_NAMES:
            assert any(
                line.startswith("advisory") and name in line and "throwaway" in line
                for line in lines
            ), result.stdout
        assert not any(line.startswith("blocking") for line in lines)
        assert "startup would proceed" in result.stdout

    def test_production_without_secrets_is_blocked(self, tmp_path: Path) -> None:
        env = clean_env(tmp_path, ENVIRONMENT="production")

        result = logbook("check-config", env=env, cwd=tmp_path)

        assert result.returncode != 0
        lines = result.stdout.splitlines()
        for name in SECRET_NAMES:
            assert any(
                re.match(rf"blocking\s+CRITICAL: {name} is missing", line) for line in lines
            ), result.stdout
        assert "startup would be BLOCKED" in result.stdout

    def test_production_with_good_secrets_and_safe_settings_proceeds(self, tmp_path: Path) -> None:
        env = clean_env(
            tmp_path,
            ENVIRONMENT="production",
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'logbook.db'}",
            ALLOWED_ORIGINS="https://logbook.example.org",
            **gen_secrets(tmp_path),
        )

        result = logbook("check-config", env=env, cwd=tmp_path)

        assert result.returncode == 0, result.stdout
        assert "blocking" not in result.stdout
        assert "ENVIRONMENT=production: 0 finding(s); startup would proceed" in result.stdout

    def test_production_wildcard_origin_is_blocking(self, tmp_path: Path) -> None:
        env = clean_env(
            tmp_path,
            ENVIRONMENT="production",
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'logbook.db'}",
            ALLOWED_ORIGINS="*",
            **gen_secrets(tmp_path),
        )

        result = logbook("check-config", env=env, cwd=tmp_path)

        assert result.returncode != 0
        assert re.search(r"^blocking\s+CRITICAL: ALLOWED_ORIGINS", result.stdout, re.MULTILINE)


class TestInvalidSettings:
    def test_check_config_prints_one_error_line_and_exits_78(self, tmp_path: Path) -> None:
        env = clean_env(tmp_path, ENVIRONMENT="Production")

        result = logbook("check-config", env=env, cwd=tmp_path)

        assert result.returncode == EXIT_CONFIG
        assert "Traceback" not in result.stderr
        assert result.stderr.splitlines() == [
            "ERROR: invalid setting ENVIRONMENT: "
            "Input should be 'development', 'test', 'staging' or 'production'"
        ]
        assert result.stdout == ""

    def test_each_bad_setting_gets_its_own_line(self, tmp_path: Path) -> None:
        env = clean_env(tmp_path, ENVIRONMENT="prod", DB_PORT="three", DEBUG="maybe")

        result = logbook("check-config", env=env, cwd=tmp_path)

        assert result.returncode == EXIT_CONFIG
        lines = result.stderr.splitlines()
        named = [re.fullmatch(r"ERROR: invalid setting (\w+): \S.*", line) for line in lines]
        assert [match[1] if match else line for match, line in zip(named, lines, strict=True)] == [
            "ENVIRONMENT",
            "DEBUG",
            "DB_PORT",
        ], result.stderr

    def test_a_bad_setting_in_the_env_file_is_reported_too(self, tmp_path: Path) -> None:
        (tmp_path / ".env").write_text("ENVIRONMENT=Production\n")

        result = logbook("check-config", env=clean_env(tmp_path), cwd=tmp_path)

        assert result.returncode == EXIT_CONFIG
        assert "ERROR: invalid setting ENVIRONMENT: " in result.stderr
        assert "Traceback" not in result.stderr

    def test_run_stops_with_the_error_line_before_any_port_opens(self, tmp_path: Path) -> None:
        ports = {name: free_port() for name in ("GATEWAY", "AUTH", "API", "HEALTH")}
        env = clean_env(
            tmp_path,
            ENVIRONMENT="Production",
            **{f"{name}_PORT": str(port) for name, port in ports.items()},
        )

        code, stderr = run_until_exit(["run"], env, tmp_path, list(ports.values()))

        assert code == EXIT_CONFIG
        assert "ERROR: invalid setting ENVIRONMENT: " in stderr
        assert "Traceback" not in stderr
