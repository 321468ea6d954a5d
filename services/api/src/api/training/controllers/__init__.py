"""Controllers of `/api/v1/training` (spec training.md §3), by topic, under one router."""

from litestar import Router

from api.training.controllers._compliance import ComplianceController
from api.training.controllers._library import CategoryController, CourseController
from api.training.controllers._records import RecordController
from api.training.controllers._requirements import RequirementController

# A topic's controller joins this list. The router lives here, not in the area's __init__, so
# the pure rule modules of the area (the compliance engine) import without the web stack.
TRAINING_ROUTER = Router(
    "/api/v1/training",
    tags=["training"],
    route_handlers=[
        CategoryController,
        CourseController,
        RecordController,
        RequirementController,
        ComplianceController,
    ],
)

__all__ = [
    "TRAINING_ROUTER",
    "CategoryController",
    "ComplianceController",
    "CourseController",
    "RecordController",
    "RequirementController",
]
