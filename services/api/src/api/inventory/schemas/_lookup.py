"""The scan look-up's answer (spec inventory.md §6.6 #23) and item history (§7.6)."""

from datetime import datetime
from typing import Any

import msgspec

from api.inventory.schemas._items import ItemRead


class LookupHit(msgspec.Struct):
    """An item whose code or name contains the scanned text, and where it matched."""

    item: ItemRead
    matched_field: str
    matched_value: str


class LookupRead(msgspec.Struct):
    """Hits, exact whole-value matches first, and how many matched in all."""

    results: list[LookupHit]
    total: int


class HistoryEvent(msgspec.Struct):
    """One thing that happened to an item: an assignment, a return, a checkout …"""

    type: str
    id: str
    date: datetime
    summary: str
    details: dict[str, Any]


class ItemHistory(msgspec.Struct):
    """An item's events, newest first."""

    events: list[HistoryEvent]
