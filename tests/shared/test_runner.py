"""`logbook run` takes its decisions from the settings, `.env` included."""

from pathlib import Path

from launcher.runner import Platform
from shared.settings import Settings


def platform_from_env_file(tmp_path: Path, content: str) -> Platform:
    env_file = tmp_path / ".env"
    env_file.write_text(content)
    platform = Platform(Settings(_env_file=env_file), tmp_path)
    platform.prepare_env()
    return platform


def test_a_database_in_env_file_is_not_replaced_by_sqlite(tmp_path: Path) -> None:
    platform = platform_from_env_file(tmp_path, "DATABASE_URL=mysql+asyncmy://u:p@db:3306/x\n")
    assert "sqlite" not in platform.env.get("DATABASE_URL", "")


def test_without_a_database_setting_sqlite_lives_in_the_data_dir(tmp_path: Path) -> None:
    platform = platform_from_env_file(tmp_path, "")
    assert platform.env["DATABASE_URL"] == f"sqlite+aiosqlite:///{tmp_path / 'var' / 'logbook.db'}"


def test_secrets_in_env_file_are_not_replaced_by_development_keys(tmp_path: Path) -> None:
    platform = platform_from_env_file(tmp_path, "SECRET_KEY=" + "k" * 40 + "\n")
    assert "SECRET_KEY" not in platform.env or platform.env["SECRET_KEY"] == "k" * 40
    assert "ENCRYPTION_KEY" in platform.env  # the unset ones come from var/dev-secrets.env


def test_gateway_site_and_bind_come_from_the_settings(tmp_path: Path) -> None:
    platform = platform_from_env_file(
        tmp_path, "GATEWAY_SITE=logbook.example.org\nGATEWAY_BIND=0.0.0.0\n"
    )
    assert platform.env["GATEWAY_SITE"] == "logbook.example.org"
    assert platform.env["GATEWAY_BIND"] == "0.0.0.0"


def test_nats_url_in_env_file_means_no_embedded_nats(tmp_path: Path) -> None:
    platform = platform_from_env_file(tmp_path, "NATS_URL=nats://nats.example.org:4222\n")
    assert not platform.embedded_nats
    assert platform_from_env_file(tmp_path, "").embedded_nats


def test_the_checked_settings_carry_the_keys_the_children_get(tmp_path: Path) -> None:
    platform = platform_from_env_file(tmp_path, "")
    checked = platform.checked_settings()
    assert checked.secret_key is not None
    # The very key every service signs and verifies tokens with.
    assert checked.secret_key.get_secret_value() == platform.env["SECRET_KEY"]


def test_the_gateways_access_log_setting_reaches_caddy(tmp_path: Path) -> None:
    assert platform_from_env_file(tmp_path, "").env["GATEWAY_ACCESS_LOG"] == "false"
    platform = platform_from_env_file(tmp_path, "GATEWAY_ACCESS_LOG=true\n")
    assert platform.env["GATEWAY_ACCESS_LOG"] == "true"
