"""The inventory area (spec inventory.md): categories, items, their holders, storage areas."""

from litestar import Router

from api.inventory.controllers import (
    CatalogController,
    CategoryController,
    FiguresController,
    ItemController,
)

INVENTORY_ROUTER = Router(
    "/api/v1/inventory",
    tags=["inventory"],
    route_handlers=[CategoryController, ItemController, CatalogController, FiguresController],
)
