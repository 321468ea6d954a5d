"""What the compliance readers share: the organization's today and settings, and one member's
requirements put through the one engine (spec training.md §5)."""

from api.training.compliance import (
    Requirement,
)
from api.training.errors import NotSelfOrOfficerError
from api.training.permissions import VIEW_ALL
from api.training.service._base import TrainingServiceBase
from api.training.service._verdicts import Standing, requirement_pairs, standing_of
from shared.models import TrainingRequirement
from shared.permissions import grants


class StandingBase(TrainingServiceBase):
    """The readers' shared steps: who may read whom, the organization's standing."""

    @property
    def sees_everything(self) -> bool:
        """An officer, or a holder of `training.view_all` (§4.4 visibility bypass [fix])."""
        return self.manages or grants(self.principal.permissions, VIEW_ALL)

    def _self_or_officer(self, user_id: object) -> None:
        """A per-member read of someone else needs `training.manage` (§1, 403)."""
        if user_id != self.principal.user_id and not self.manages:
            raise NotSelfOrOfficerError

    async def _standing(self) -> Standing:
        """Today in the organization's zone (§8.10) and its compliance settings (§5.3)."""
        return standing_of(await self.members.organization())

    async def _active_requirements(self) -> list[tuple[TrainingRequirement, Requirement]]:
        """The active requirements by name, each with its engine facts."""
        return requirement_pairs(await self.requirements.active_by_name())
