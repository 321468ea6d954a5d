"""What the compliance readers share: who may read whom, and the organization's basis (its
terms, active requirements, waivers and leaves) put through the one engine (spec training.md
§5)."""

from api.training.basis import Standing, TrainingBasis
from api.training.errors import NotSelfOrOfficerError
from api.training.permissions import VIEW_ALL
from api.training.service._base import TrainingServiceBase
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

    async def _basis(self) -> TrainingBasis:
        """The organization's terms, active requirements, waivers and leaves (kept in memory,
        `api.training.basis`)."""
        return await self.basis.get()

    async def _standing(self) -> Standing:
        """Today in the organization's zone (§8.10) and its training settings (§5.3)."""
        return (await self._basis()).terms.standing()
