"""Routes of `/api/v1/training/waivers` (spec leaves-waivers-ranks-errors.md §2)."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.training.deps import TRAINING_DEPENDENCIES
from api.training.permissions import TRAINING_MANAGE
from api.training.schemas import PeriodFilters, WaiverCreate, WaiverRead
from api.training.service import TrainingService
from shared.errors import documented_error
from shared.principal import requires
from shared.types import Skip, row_limit

# [fix] member managers read them too (the members admin's waiver page).
READERS = requires("training.manage", "members.manage")
REFUSED = documented_error(
    "End date must be after start date, or a requirement id is not the organization's"
)
MEMBER_NOT_FOUND = documented_error("Member not found")
WAIVER_NOT_FOUND = documented_error("Waiver not found")
# [fix] 1000 by default: no page of the frontend pages through them.
Limit = Annotated[int, row_limit(1000)]


class WaiverController(Controller):
    """Training waivers: officers excuse members from training targets for a span of days."""

    path = "/waivers"
    dependencies = TRAINING_DEPENDENCIES

    @post(
        "/",
        status_code=201,
        guards=[TRAINING_MANAGE],
        responses={400: REFUSED, 404: MEMBER_NOT_FOUND},
    )
    async def create_waiver(
        self, data: JSONBody[WaiverCreate], training: NamedDependency[TrainingService]
    ) -> WaiverRead:
        """Grant a waiver of every requirement, or of those listed."""
        return await training.create_waiver(data)

    @get("/", guards=[READERS])
    async def list_waivers(
        self,
        *,
        training: NamedDependency[TrainingService],
        user_id: Annotated[UUID | None, QueryParameter(description="One member's")] = None,
        active_only: Annotated[bool, QueryParameter(description="Only active ones")] = True,
        skip: Skip = 0,
        limit: Limit = 1000,
    ) -> list[WaiverRead]:
        """Waivers by latest start, those a leave created included."""
        return await training.list_waivers(PeriodFilters(user_id, active_only, skip, limit))

    @delete(
        "/{waiver_id:str}",
        status_code=204,
        guards=[TRAINING_MANAGE],
        responses={404: WAIVER_NOT_FOUND},
    )
    async def deactivate_waiver(
        self, waiver_id: FromPath[UUID], training: NamedDependency[TrainingService]
    ) -> None:
        """Deactivate the waiver (idempotent)."""
        await training.deactivate_waiver(waiver_id)
