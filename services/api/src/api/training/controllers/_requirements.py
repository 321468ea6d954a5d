"""Routes of `/api/v1/training/requirements` (spec training.md §3 #15 to #18)."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.training.deps import TRAINING_DEPENDENCIES
from api.training.permissions import TRAINING_MANAGE, member
from api.training.schemas import RequirementCreate, RequirementRead, RequirementUpdate
from api.training.service import TrainingService
from shared.errors import documented_error

REQUIREMENT_NOT_FOUND = documented_error("No such requirement in the organization")
BAD_COURSES = documented_error("A required course is not one of the organization's")
Year = Annotated[
    int | None,
    QueryParameter(ge=2020, le=2100, description="Only requirements of exactly this year"),
]


class RequirementController(Controller):
    """What members must complete, for whom and by when."""

    path = "/requirements"
    dependencies = TRAINING_DEPENDENCIES

    @get("/", guards=[member])
    async def list_requirements(
        self,
        training: NamedDependency[TrainingService],
        year: Year = None,
        active_only: Annotated[bool, QueryParameter(description="Hide inactive ones")] = True,
    ) -> list[RequirementRead]:
        """Requirements by due date; members see only the checklist steps shown to members."""
        return await training.list_requirements(year=year, active_only=active_only)

    @post("/", status_code=201, guards=[TRAINING_MANAGE], responses={400: BAD_COURSES})
    async def create_requirement(
        self, data: JSONBody[RequirementCreate], training: NamedDependency[TrainingService]
    ) -> RequirementRead:
        """Add a requirement; its type's target (hours, courses, shifts, calls, passing score)
        must be set (422)."""
        return await training.create_requirement(data)

    @patch(
        "/{requirement_id:str}",
        guards=[TRAINING_MANAGE],
        responses={400: BAD_COURSES, 404: REQUIREMENT_NOT_FOUND},
    )
    async def update_requirement(
        self,
        requirement_id: FromPath[UUID],
        data: JSONBody[RequirementUpdate],
        training: NamedDependency[TrainingService],
    ) -> RequirementRead:
        """Change the fields sent; `active: false` deactivates."""
        return await training.update_requirement(requirement_id, data)

    @delete(
        "/{requirement_id:str}",
        status_code=204,
        guards=[TRAINING_MANAGE],
        responses={404: REQUIREMENT_NOT_FOUND},
    )
    async def delete_requirement(
        self, requirement_id: FromPath[UUID], training: NamedDependency[TrainingService]
    ) -> None:
        """Delete the requirement for good."""
        await training.delete_requirement(requirement_id)
