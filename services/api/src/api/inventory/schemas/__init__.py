"""Bodies and shapes of the inventory routes, by topic in the modules beside this one."""

from api.inventory.schemas._categories import CategoryCreate, CategoryRead, CategoryUpdate
from api.inventory.schemas._common import Code, Message
from api.inventory.schemas._figures import (
    AssignedItem,
    CheckedOutItem,
    InventorySummary,
    IssuedItem,
    LocationSummary,
    LowStockCategory,
    LowStockItem,
    MemberInventory,
    MemberInventoryCounts,
    MembersSummary,
)
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
    "AssignedItem",
    "CategoryCreate",
    "CategoryRead",
    "CategoryUpdate",
    "CheckedOutItem",
    "Code",
    "HistoryEvent",
    "InventorySummary",
    "IssuedItem",
    "ItemCreate",
    "ItemFilters",
    "ItemHistory",
    "ItemPage",
    "ItemRead",
    "ItemUpdate",
    "LocationSummary",
    "LookupHit",
    "LookupRead",
    "LowStockCategory",
    "LowStockItem",
    "MemberInventory",
    "MemberInventoryCounts",
    "MembersSummary",
    "Message",
    "RetireRequest",
    "StorageAreaRead",
    "item_read",
]
