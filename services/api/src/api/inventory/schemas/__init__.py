"""Bodies and shapes of the inventory routes, by topic in the modules beside this one."""

from api.inventory.schemas._assignments import (
    AssignmentRead,
    AssignRequest,
    ReturnCondition,
    UnassignRequest,
)
from api.inventory.schemas._batches import (
    BatchAction,
    BatchCheckoutRequest,
    BatchRead,
    BatchResult,
    BatchReturnRequest,
    CheckoutEntry,
    ReturnEntry,
)
from api.inventory.schemas._categories import CategoryCreate, CategoryRead, CategoryUpdate
from api.inventory.schemas._checkouts import (
    CheckinRequest,
    CheckoutCreate,
    CheckoutPage,
    CheckoutRead,
    CheckoutRow,
    ExtendRead,
    ExtendRequest,
)
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
from api.inventory.schemas._issuances import IssuanceRead, IssueRequest, PoolReturnRequest
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
    "AssignRequest",
    "AssignedItem",
    "AssignmentRead",
    "BatchAction",
    "BatchCheckoutRequest",
    "BatchRead",
    "BatchResult",
    "BatchReturnRequest",
    "CategoryCreate",
    "CategoryRead",
    "CategoryUpdate",
    "CheckedOutItem",
    "CheckinRequest",
    "CheckoutCreate",
    "CheckoutEntry",
    "CheckoutPage",
    "CheckoutRead",
    "CheckoutRow",
    "Code",
    "ExtendRead",
    "ExtendRequest",
    "HistoryEvent",
    "InventorySummary",
    "IssuanceRead",
    "IssueRequest",
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
    "PoolReturnRequest",
    "RetireRequest",
    "ReturnCondition",
    "ReturnEntry",
    "StorageAreaRead",
    "UnassignRequest",
    "item_read",
]
