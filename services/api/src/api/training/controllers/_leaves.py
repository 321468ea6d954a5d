"""Routes of `/api/v1/users/leaves-of-absence` and `/users/{user_id}/leaves-of-absence` (spec
leaves-waivers-ranks-errors.md §1.2): leaves live in the training area, which they exist for,
under the members' path the frontend calls."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.training.deps import TRAINING_DEPENDENCIES
from api.training.permissions import member
from api.training.schemas import LeaveCreate, LeaveRead, PeriodFilters
from api.training.service import TrainingService
from shared.errors import documented_error
from shared.principal import requires
from shared.types import Skip, row_limit

# Both: a leave cancels the member's shifts (§1.2, deliberate).
GRANTERS = [requires("members.manage"), requires("scheduling.assign")]
# [fix] training officers read them too (the training admin's waiver page).
READERS = requires("members.manage", "training.manage")
MEMBERS_MANAGE = requires("members.manage")
DATES_OUT_OF_ORDER = documented_error("End date must be after start date")
MEMBER_NOT_FOUND = documented_error("Member not found")
LEAVE_NOT_FOUND = documented_error("Leave of absence not found")
# [fix] 1000 by default: no page of the frontend pages through them.
Limit = Annotated[int, row_limit(1000)]
ActiveOnly = Annotated[bool, QueryParameter(description="Only leaves not deactivated")]


class LeaveController(Controller):
    """Members' leaves of absence: granted and ended by member managers."""

    path = "/"
    dependencies = TRAINING_DEPENDENCIES

    @post(
        "/leaves-of-absence",
        status_code=201,
        guards=GRANTERS,
        responses={400: DATES_OUT_OF_ORDER, 404: MEMBER_NOT_FOUND},
    )
    async def create_leave(
        self, data: JSONBody[LeaveCreate], training: NamedDependency[TrainingService]
    ) -> LeaveRead:
        """Grant a leave; unless exempt, it waives the member's training for its dates."""
        return await training.create_leave(data)

    @get("/leaves-of-absence", guards=[READERS])
    async def list_leaves(
        self,
        *,
        training: NamedDependency[TrainingService],
        user_id: Annotated[UUID | None, QueryParameter(description="One member's")] = None,
        active_only: ActiveOnly = True,
        skip: Skip = 0,
        limit: Limit = 1000,
    ) -> list[LeaveRead]:
        """Leaves by latest start."""
        return await training.list_leaves(PeriodFilters(user_id, active_only, skip, limit))

    @get("/{user_id:str}/leaves-of-absence", guards=[member])
    async def member_leaves(
        self,
        *,
        user_id: FromPath[UUID],
        training: NamedDependency[TrainingService],
        active_only: ActiveOnly = True,
        skip: Skip = 0,
        limit: Limit = 1000,
    ) -> list[LeaveRead]:
        """The member's leaves, for themself or a member manager; others get an empty list."""
        filters = PeriodFilters(user_id, active_only, skip, limit)
        return await training.member_leaves(user_id, filters)

    @delete(
        "/leaves-of-absence/{leave_id:str}",
        status_code=204,
        guards=[MEMBERS_MANAGE],
        responses={404: LEAVE_NOT_FOUND},
    )
    async def deactivate_leave(
        self, leave_id: FromPath[UUID], training: NamedDependency[TrainingService]
    ) -> None:
        """Deactivate the leave and its linked waiver (idempotent)."""
        await training.deactivate_leave(leave_id)
