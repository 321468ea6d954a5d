"""Field types the training bodies share (spec training.md §1, §2)."""

from datetime import date
from typing import Annotated
from uuid import UUID

from msgspec import Meta

from shared.types import line, name, text

Name = Annotated[str, name(255)]
Code = Annotated[str, line(50)]
Line100 = Annotated[str, line(100)]
Line255 = Annotated[str, line(255)]
# MariaDB's TEXT holds 65,535 bytes: 10,000 characters fit even at four bytes each.
Notes = Annotated[str, text(10_000)]
Color = Annotated[str, Meta(pattern=r"^#[0-9A-Fa-f]{6}$")]
# Far beyond any course or career, and bounded so sums and exports stay ordinary numbers.
Hours = Annotated[float, Meta(ge=0, le=100_000)]
Score = Annotated[float, Meta(ge=0, le=1_000_000)]
Percent = Annotated[float, Meta(ge=0, le=100)]
Months = Annotated[int, Meta(ge=0, le=1200)]
SortOrder = Annotated[int, Meta(ge=-1_000_000, le=1_000_000)]
Participants = Annotated[int, Meta(ge=1, le=100_000)]
IdList = Annotated[list[UUID], Meta(max_length=500)]
Lines = Annotated[list[Annotated[str, line(255)]], Meta(max_length=100)]
Attachments = Annotated[list[Annotated[str, line(1000)]], Meta(max_length=100)]

# Training dates are calendar dates; outside these years they are a 422, so month arithmetic
# (expirations) and MariaDB's DATE always hold them.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)


def check_dates(body: object, *names: str) -> None:
    """A ValueError (the body's 422) when a named date lies outside 1900-2199; null and unset
    ones pass."""
    for field in names:
        value = getattr(body, field)
        if isinstance(value, date) and not EARLIEST <= value <= LATEST:
            raise ValueError(f"{field} must be between 1900 and 2199")
