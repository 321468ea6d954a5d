"""The one translation of integrity errors, for MariaDB/MySQL and SQLite alike.

The driver's error number says what kind of constraint refused the write; the constraint's
columns (from the models' metadata on MariaDB, from the message on SQLite, which names the
columns instead of the key) say which field clashed. Repositories write through `guarded`,
services turn a `ClashError` into the area's 409.
"""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from sqlalchemy import Index, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.base import Base

# MariaDB/MySQL error numbers (ER_DUP_ENTRY, ER_ROW_IS_REFERENCED(_2), ER_NO_REFERENCED_ROW(_2)).
MYSQL_KINDS = {
    1062: "unique",
    1451: "referenced",
    1217: "referenced",
    1452: "missing",
    1216: "missing",
}
# SQLite extended result codes (SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY, _FOREIGNKEY). SQLite cannot
# tell a missing parent from a referenced child: the statement says which (delete or write).
SQLITE_KINDS = {2067: "unique", 1555: "unique", 787: "foreign_key"}
_MYSQL_KEY = re.compile(r"for key '(?:[^'.]*\.)?([^']+)'")
_SQLITE_COLUMNS = re.compile(r"UNIQUE constraint failed: (.+)$")
TENANT_COLUMN = "organization_id"


class ClashKind(StrEnum):
    """What the database refused."""

    UNIQUE = "unique"  # another row holds the value
    REFERENCED = "referenced"  # a row still points to the one being deleted
    MISSING = "missing"  # the row pointed to does not exist
    FOREIGN_KEY = "foreign_key"  # SQLite: one of the two above


@dataclass
class ClashError(Exception):
    """A write the database refused by a unique or foreign key (not NULL or CHECK failures)."""

    kind: ClashKind
    columns: tuple[str, ...] = ()

    @property
    def field(self) -> str | None:
        """The field a user would name: the key's last column besides the tenant, without the
        `_lower` of a case-insensitive copy (`email_lower` → `email`)."""
        own = [column for column in self.columns if column != TENANT_COLUMN]
        return own[-1].removesuffix("_lower") if own else None

    def __str__(self) -> str:
        return f"{self.kind} clash on {', '.join(self.columns) or 'an unnamed key'}"


def clash_of(exc: IntegrityError) -> ClashError | None:
    """The clash behind an integrity error, or None when it is another kind of refusal."""
    orig = exc.orig
    sqlite_code = getattr(orig, "sqlite_errorcode", None)
    if sqlite_code is not None:
        kind = SQLITE_KINDS.get(sqlite_code)
        if kind is None:
            return None
        match = _SQLITE_COLUMNS.search(str(orig))
        columns = (
            tuple(part.strip().rpartition(".")[2] for part in match[1].split(",")) if match else ()
        )
        return ClashError(ClashKind(kind), columns)
    args: tuple[object, ...] = tuple(getattr(orig, "args", ()))
    number = args[0] if args and isinstance(args[0], int) else None
    kind = MYSQL_KINDS.get(number) if number is not None else None
    if kind is None:
        return None
    key = _MYSQL_KEY.search(str(args[1]) if len(args) > 1 else "")
    return ClashError(ClashKind(kind), _unique_columns().get(key[1], ()) if key else ())


@cache
def _unique_columns() -> dict[str, tuple[str, ...]]:
    """Every named unique key of the models (the names MariaDB reports) with its columns."""
    keys: dict[str, tuple[str, ...]] = {}
    for table in Base.metadata.tables.values():
        named: list[UniqueConstraint | Index] = [
            c for c in table.constraints if isinstance(c, UniqueConstraint)
        ]
        named += [index for index in table.indexes if index.unique]
        for key in named:
            if isinstance(key.name, str):
                keys[key.name] = tuple(column.name for column in key.columns)
        for column in table.columns:  # `unique=True` columns: MariaDB names the key after them
            if column.unique:
                keys.setdefault(column.name, (column.name,))
    return keys


@asynccontextmanager
async def guarded(session: AsyncSession, *, savepoint: bool = True) -> AsyncIterator[None]:
    """Write what the block stages, then flush; a refused key raises `ClashError`.

    With `savepoint` (the default) the write is undone alone and the transaction stays usable,
    so a service may answer 409 or try another value; stage the changes inside the block, or
    the savepoint's opening flush meets the clash outside it.
    """
    try:
        if savepoint:
            async with session.begin_nested():
                yield
                await session.flush()
        else:
            yield
            await session.flush()
    except IntegrityError as exc:
        clash = clash_of(exc)
        if clash is None:
            raise
        raise clash from exc
