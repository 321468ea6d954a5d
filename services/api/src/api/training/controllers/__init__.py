"""Controllers of `/api/v1/training` (spec training.md §3), by topic, under one router."""

from litestar import Router

from api.training.controllers._compliance import ComplianceController
from api.training.controllers._leaves import LeaveController
from api.training.controllers._library import CategoryController, CourseController
from api.training.controllers._records import RecordController
from api.training.controllers._requirements import RequirementController
from api.training.controllers._sessions import SessionController
from api.training.controllers._waivers import WaiverController

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
        WaiverController,
        SessionController,
    ],
)
# Leaves of absence exist for training's compliance, under the members' path the frontend calls
# (leaves-waivers addendum §1.2); static `/users/leaves-of-absence` wins over `/users/{user_id}`.
LEAVES_ROUTER = Router("/api/v1/users", tags=["users"], route_handlers=[LeaveController])

__all__ = [
    "LEAVES_ROUTER",
    "TRAINING_ROUTER",
    "CategoryController",
    "ComplianceController",
    "CourseController",
    "LeaveController",
    "RecordController",
    "RequirementController",
    "SessionController",
    "WaiverController",
]
