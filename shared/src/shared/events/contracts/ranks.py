"""Operational rank events the api publishes (spec/leaves-waivers-ranks-errors.md §3)."""

from typing import ClassVar, Literal
from uuid import UUID

import msgspec

from shared.events.envelope import EventData

RankChange = Literal["created", "updated", "deleted", "reordered"]


class RankChanged(EventData, frozen=True, kw_only=True):
    """Ranks were added, edited, deleted or re-sorted.

    Rank permissions are keyed by code and item and shift rules read `sort_order` and
    `eligible_positions`, so whoever caches them drops what it holds for these codes.
    """

    subject: ClassVar[str] = "logbook.api.rank.changed"
    change: RankChange
    rank_ids: list[UUID]
    rank_codes: list[str]  # for an edit that renames: the old code and the new one
    fields_changed: list[str] = msgspec.field(default_factory=list)
