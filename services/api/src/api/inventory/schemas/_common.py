"""Field types the inventory bodies share (spec inventory.md §1, §7.2)."""

from typing import Annotated, Any

import msgspec
from msgspec import Meta

from shared.types import line, name, text

Name = Annotated[str, name(255)]
Notes = Annotated[str, text(2000)]
Text255 = Annotated[str, line(255)]
Text100 = Annotated[str, line(100)]
Text50 = Annotated[str, line(50)]
# MariaDB's INT holds about 2.1 billion: far more than any count or number of days.
Count = Annotated[int, Meta(ge=0, le=1_000_000_000)]
RankOrder = Annotated[int, Meta(ge=-1_000_000, le=1_000_000)]
# DECIMAL(10,2): read as a number (or numeric text), stored rounded to cents.
Money = Annotated[float, Meta(ge=0, le=99_999_999.99)]
Weight = Annotated[float, Meta(ge=0, le=1_000_000_000)]
Document = Annotated[dict[str, Any], Meta(max_length=200)]
Positions = Annotated[list[Text100], Meta(max_length=100)]
Attachments = Annotated[list[Annotated[str, line(2000)]], Meta(max_length=100)]
Code = Annotated[str, line(255, min_length=1)]


class Message(msgspec.Struct):
    """An acknowledgement (§1 Acks)."""

    message: str
