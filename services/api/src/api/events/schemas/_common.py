"""Field types the event bodies share (spec events.md §1, §2)."""

from datetime import datetime
from typing import Annotated, Any

from msgspec import Meta

from shared.types import as_utc, line, name, text

Title = Annotated[str, name(200)]
# MariaDB's TEXT holds 65,535 bytes: 10,000 characters fit even at four bytes each.
Description = Annotated[str, text(10_000)]
Category = Annotated[str, line(100)]
Place = Annotated[str, line(300)]
Details = Annotated[str, text(2000)]
Reason = Annotated[str, text(500)]
Minutes = Annotated[int, Meta(ge=0, le=1440)]
Capacity = Annotated[int, Meta(ge=1, le=100_000)]
# Hours before the start, at most a year; a handful of reminders.
ReminderHours = Annotated[list[Annotated[int, Meta(ge=0, le=8760)]], Meta(max_length=10)]
MembershipTypes = Annotated[list[Annotated[str, line(100)]], Meta(max_length=50)]
Document = Annotated[dict[str, Any], Meta(max_length=200)]
Attachments = Annotated[list[Annotated[dict[str, Any], Meta(max_length=50)]], Meta(max_length=100)]


def utc_fields(body: object, *names: str) -> None:
    """The body's named datetimes in UTC (`as_utc`), in place; null and unset ones stay."""
    for field in names:
        value = getattr(body, field)
        if isinstance(value, datetime):
            setattr(body, field, as_utc(value))
