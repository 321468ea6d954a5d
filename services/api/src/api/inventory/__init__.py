"""The inventory area (spec inventory.md): categories, items, their holders, storage areas."""

from litestar import Router

from api.inventory.controllers import (
    AssignmentController,
    BatchController,
    CatalogController,
    CategoryController,
    CheckoutController,
    FiguresController,
    IssuanceController,
    ItemController,
)

INVENTORY_ROUTER = Router(
    "/api/v1/inventory",
    tags=["inventory"],
    route_handlers=[
        CategoryController,
        ItemController,
        CatalogController,
        FiguresController,
        AssignmentController,
        IssuanceController,
        CheckoutController,
        BatchController,
    ],
)
