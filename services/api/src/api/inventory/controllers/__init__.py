"""Controllers of `/api/v1/inventory` (spec inventory.md §6), by topic."""

from api.inventory.controllers._assignments import AssignmentController
from api.inventory.controllers._batches import BatchController
from api.inventory.controllers._catalog import CatalogController
from api.inventory.controllers._categories import CategoryController
from api.inventory.controllers._checkouts import CheckoutController
from api.inventory.controllers._figures import FiguresController
from api.inventory.controllers._issuances import IssuanceController
from api.inventory.controllers._items import ItemController

__all__ = [
    "AssignmentController",
    "BatchController",
    "CatalogController",
    "CategoryController",
    "CheckoutController",
    "FiguresController",
    "IssuanceController",
    "ItemController",
]
