"""Constrained types the services share: bounded paging, ISO dates, clean text fields."""

from datetime import UTC, datetime
from typing import Annotated

import msgspec
from litestar.exceptions import ValidationException
from litestar.params import KwargDefinition, QueryParameter
from msgspec import Meta

# Far beyond any organization's rows, and far inside the unsigned 64-bit range MySQL accepts
# in LIMIT/OFFSET: a larger number is a 422, never a database error.
MAX_SKIP = 10**9
MAX_PAGE = 1_000_000

Skip = Annotated[int, QueryParameter(ge=0, le=MAX_SKIP, description="Rows to skip")]
Page = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description="Page number, from 1")]


def row_limit(most: int) -> KwargDefinition:
    """The `limit`/`page_size` parameter of a list answering at most `most` rows."""
    return QueryParameter(ge=1, le=most, description=f"Rows to return (1 to {most})")


# Read as text, then parsed strictly: Litestar converts query values leniently, which would take
# `0.5` or `1700000000` for a Unix timestamp.
IsoDateTimeParameter = Annotated[
    str | None,
    QueryParameter(
        max_length=64,
        description="RFC 3339 date and time, e.g. 2026-01-31T00:00:00Z",
        schema_extra={"format": "date-time"},
    ),
]


def iso_datetime(value: str | None, parameter: str) -> datetime | None:
    """An `IsoDateTimeParameter`'s value, or the 422 naming the parameter."""
    if value is None:
        return None
    try:
        parsed = msgspec.convert(value, datetime)  # strict: RFC 3339 text only
        # Compared in UTC, where 0001-01-01T00:00+01:00 has no time (OverflowError).
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed
    except (msgspec.ValidationError, OverflowError) as exc:
        raise ValidationException(
            extra=[{"key": parameter, "message": "Invalid datetime"}]
        ) from exc


# Control characters (C0, DEL, C1) are invisible, and break logs, exports and look-ups by name.
# Python's `$` also matches before a final newline; `(?!\n)` closes that gap (msgspec searches
# with `re`, and the pattern stays valid for the JSON Schema readers of the API document).
SINGLE_LINE = r"^[^\x00-\x1f\x7f-\x9f]*$(?!\n)"
# Free text (descriptions, reasons, instructions) may keep its tabs and line breaks.
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
# A name must also show something: not only spaces.
VISIBLE_LINE = r"^(?=.*\S)[^\x00-\x1f\x7f-\x9f]*$(?!\n)"
# One token without spaces, e.g. a username.
WORD = r"^[^\s\x00-\x1f\x7f-\x9f]+$(?!\n)"
# Deliberately loose: one @, something on both sides, a dot in the domain; nothing invisible.
EMAIL = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+\.[^@\s\x00-\x1f\x7f-\x9f]+$(?!\n)"


def line(max_length: int, min_length: int = 0) -> Meta:
    """A single-line text field: length bounds, no control characters."""
    return Meta(min_length=min_length, max_length=max_length, pattern=SINGLE_LINE)


def name(max_length: int) -> Meta:
    """A name: single line, at least one visible character."""
    return Meta(min_length=1, max_length=max_length, pattern=VISIBLE_LINE)


def text(max_length: int) -> Meta:
    """Multi-line free text: tabs and line breaks allowed, other control characters not."""
    return Meta(max_length=max_length, pattern=MULTI_LINE)


Email = Annotated[str, Meta(max_length=255, pattern=EMAIL)]


# Far beyond any calendar, inside what MariaDB's DATETIME and Python's UTC arithmetic hold.
EARLIEST_MOMENT = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_MOMENT = datetime(2200, 1, 1, tzinfo=UTC)


def as_utc(value: datetime) -> datetime:
    """A body's datetime in UTC; a naive one is taken as UTC. Outside 1900-2199 it is a
    ValueError, which a body's decoding answers 422."""
    try:
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError as exc:  # 0001-01-01T00:00+01:00 has no UTC time
        raise ValueError("datetime out of range") from exc
    if not EARLIEST_MOMENT <= moment < LATEST_MOMENT:
        raise ValueError("datetime out of range")
    return moment
