"""Bodies and shapes of the inventory routes, by topic in the modules beside this one."""

from api.inventory.schemas._categories import CategoryCreate, CategoryRead, CategoryUpdate
from api.inventory.schemas._common import Code, Message
from api.inventory.schemas._items import (
    ItemCreate,
    ItemFilters,
    ItemPage,
    ItemRead,
    ItemUpdate,
    RetireRequest,
    item_read,
)
from api.inventory.schemas._lookup import HistoryEvent, ItemHistory, LookupHit, LookupRead
from api.inventory.schemas._storage import StorageAreaRead

__all__ = [
    "CategoryCreate",
    "CategoryRead",
    "CategoryUpdate",
    "Code",
    "HistoryEvent",
    "ItemCreate",
    "ItemFilters",
    "ItemHistory",
    "ItemPage",
    "ItemRead",
    "ItemUpdate",
    "LookupHit",
    "LookupRead",
    "Message",
    "RetireRequest",
    "StorageAreaRead",
    "item_read",
]
