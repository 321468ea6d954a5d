"""Alembic environment: runs on the connection the migration runner hands over, or on its own."""

import asyncio
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

import shared.models  # noqa: F401 - fills Base.metadata
from shared.db.base import Base
from shared.db.session import create_engine
from shared.db.types import UtcDateTime
from shared.settings import Settings

target_metadata = Base.metadata


def _render_item(kind: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # Generated revisions import our column type instead of naming an unimported module.
    if kind == "type" and isinstance(obj, UtcDateTime):
        autogen_context.imports.add("from shared.db.types import UtcDateTime")
        return "UtcDateTime()"
    return False


def _configure(connection: Connection) -> None:
    # Batch mode lets ALTERs work on SQLite (it rebuilds the table); MySQL ignores it.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_standalone(url: str) -> None:
    engine = create_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_configure)
        await connection.commit()
    await engine.dispose()


def main() -> None:
    """Entry point Alembic calls: offline SQL, a handed-over connection, or our own engine."""
    url = context.config.get_main_option("sqlalchemy.url") or Settings().resolved_database_url()
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
    else:
        asyncio.run(_run_standalone(url))


main()
