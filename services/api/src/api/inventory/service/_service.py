"""The one inventory service of a request, its methods grouped by topic in the modules beside it."""

from api.inventory.service._batches import BatchFlows
from api.inventory.service._categories import CategoryTopic
from api.inventory.service._figures import FigureReading
from api.inventory.service._items import ItemWriting
from api.inventory.service._reading import ItemReading
from api.inventory.service._storage import StorageReading


class InventoryService(
    CategoryTopic, ItemReading, ItemWriting, StorageReading, FigureReading, BatchFlows
):
    """The organization's inventory: categories, items, look-up, storage areas, figures, and
    the holder flows (assignments, issuances, checkouts, desk batches)."""
