"""All SQL of the inventory area, by topic in the modules beside this one."""

from api.inventory.repository._categories import CategoryRepository
from api.inventory.repository._figures import FigureRepository, MemberCounts
from api.inventory.repository._flow_lists import FlowListRepository
from api.inventory.repository._flows import FlowRepository
from api.inventory.repository._holders import HolderRepository, Holds
from api.inventory.repository._items import ItemRepository
from api.inventory.repository._places import (
    AreaRow,
    CounterRepository,
    ReferenceRepository,
    StorageAreaRepository,
)

__all__ = [
    "AreaRow",
    "CategoryRepository",
    "CounterRepository",
    "FigureRepository",
    "FlowListRepository",
    "FlowRepository",
    "HolderRepository",
    "Holds",
    "ItemRepository",
    "MemberCounts",
    "ReferenceRepository",
    "StorageAreaRepository",
]
