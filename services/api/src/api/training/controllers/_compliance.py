"""Members' figures and the officer's overviews (spec training.md §3 #19 to #25)."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from api.training.deps import TRAINING_DEPENDENCIES
from api.training.permissions import TRAINING_MANAGE, member
from api.training.schemas import (
    ComplianceMatrix,
    ComplianceSummary,
    ExpiringCertification,
    MyTrainingSummary,
    RecordRead,
    RequirementProgress,
    UserTrainingStats,
)
from api.training.service import TrainingService
from shared.errors import documented_error

NOT_SELF = documented_error("Another member's figures need training.manage")
MEMBER_NOT_FOUND = documented_error("The member is not one of the organization's")


class ComplianceController(Controller):
    """Per-member reads (the member themself or an officer), My Training, and the officer's
    expiring certifications and compliance matrix."""

    path = "/"
    dependencies = TRAINING_DEPENDENCIES

    @get("/stats/user/{user_id:str}", guards=[member], responses={403: NOT_SELF})
    async def user_stats(
        self, user_id: FromPath[UUID], training: NamedDependency[TrainingService]
    ) -> UserTrainingStats:
        """Hours and certifications over the member's completed records (zeros for no one)."""
        return await training.user_stats(user_id)

    @get(
        "/compliance-summary/{user_id:str}",
        guards=[member],
        responses={403: NOT_SELF, 404: MEMBER_NOT_FOUND},
    )
    async def compliance_summary(
        self, user_id: FromPath[UUID], training: NamedDependency[TrainingService]
    ) -> ComplianceSummary:
        """The member's compliance colour, requirements met and certification counts."""
        return await training.compliance_summary(user_id)

    @get("/requirements/progress/{user_id:str}", guards=[member], responses={403: NOT_SELF})
    async def requirement_progress(
        self,
        user_id: FromPath[UUID],
        training: NamedDependency[TrainingService],
        year: Annotated[
            int | None,
            QueryParameter(
                ge=2020, le=2100, description="That year's requirements and undated ones"
            ),
        ] = None,
    ) -> list[RequirementProgress]:
        """Target and progress per applicable requirement ([] for an unknown member)."""
        return await training.requirement_progress(user_id, year)

    @get("/certifications/expiring", guards=[member])
    async def expiring_records(
        self,
        training: NamedDependency[TrainingService],
        days_ahead: Annotated[int, QueryParameter(ge=1, le=3650)] = 90,
    ) -> list[RecordRead]:
        """Completed records expiring within the days (the expired too), soonest first: the
        caller's own, or everyone's for an officer."""
        return await training.expiring_records(days_ahead)

    @get("/expiring-certifications", guards=[TRAINING_MANAGE])
    async def expiring_certifications(
        self,
        training: NamedDependency[TrainingService],
        days: Annotated[int, QueryParameter(ge=1, le=365)] = 90,
    ) -> list[ExpiringCertification]:
        """The organization's certifications expiring within the days or expired."""
        return await training.expiring_certifications(days)

    @get("/module-config/my-training", guards=[member])
    async def my_training(self, training: NamedDependency[TrainingService]) -> MyTrainingSummary:
        """The caller's My Training page."""
        return await training.my_training()

    @get("/compliance-matrix", guards=[TRAINING_MANAGE])
    async def compliance_matrix(
        self, training: NamedDependency[TrainingService]
    ) -> ComplianceMatrix:
        """Active members x active requirements, each cell from the compliance engine."""
        return await training.compliance_matrix()
