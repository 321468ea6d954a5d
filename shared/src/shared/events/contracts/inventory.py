"""Inventory events the api publishes (spec inventory.md §8)."""

from typing import ClassVar
from uuid import UUID

from shared.events.envelope import EventData


class ItemEvent(EventData, frozen=True, kw_only=True):
    """Fields every item event carries."""

    item_id: UUID
    item_name: str


class ItemCreated(ItemEvent, frozen=True, kw_only=True):
    """An item was added to the inventory."""

    subject: ClassVar[str] = "logbook.api.inventory.item_created"


class ItemUpdated(ItemEvent, frozen=True, kw_only=True):
    """An item's fields changed (holder changes have events of their own)."""

    subject: ClassVar[str] = "logbook.api.inventory.item_updated"
    changed_fields: list[str]


class ItemRetired(ItemEvent, frozen=True, kw_only=True):
    """An item was retired: status and condition `retired`, no longer active."""

    subject: ClassVar[str] = "logbook.api.inventory.item_retired"
