"""What every process does before it works: settings checked, database waited for and migrated."""

from shared.db.session import create_engine, wait_for_database
from shared.logging import configure_logging
from shared.security_checks import enforce
from shared.settings import Settings
from shared.settings import load_settings as read_settings


def load_settings(service: str, *, checked: bool = True) -> Settings:
    """Settings with logging configured and the startup security checks passed (or exit)."""
    settings = read_settings()
    configure_logging(
        service,
        log_format=settings.log_format,
        level=settings.log_level,
        log_file=settings.log_file,
        sql_echo=settings.db_echo,
    )
    return enforce(settings) if checked else settings


async def prepare_database(settings: Settings) -> None:
    """Wait for the database, then bring it to head (under the migration lock) when
    MIGRATE_ON_START says so."""
    engine = create_engine(settings.resolved_database_url(), ssl_ca=settings.db_ssl_ca)
    try:
        await wait_for_database(engine, max_wait=settings.db_wait_seconds)
        if settings.migrate_on_start:
            from shared.db.migrate import migrate  # noqa: PLC0415 - Alembic only where it runs

            await migrate(engine)
    finally:
        await engine.dispose()
