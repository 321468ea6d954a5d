"""Operational ranks (spec §2.7): seeded with the defaults on the organization's first read."""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from api.locations.repository import RankRepository, UniqueClashError
from shared.catalog.system_roles import DEFAULT_RANKS
from shared.models import OperationalRank


@dataclass
class RankService:
    """The ranks of one caller's organization."""

    ranks: RankRepository
    organization_id: UUID

    async def list_page(
        self, *, is_active: bool | None, skip: int, limit: int
    ) -> Sequence[OperationalRank]:
        """A page of ranks; the first read of an organization seeds the defaults."""
        if await self.ranks.any_exist():
            return await self.ranks.list_page(is_active=is_active, skip=skip, limit=limit)
        try:
            await self.ranks.seed(self._defaults())
        except UniqueClashError:
            # Two first reads at once: the other request seeded them and committed, which
            # only a locking read sees from inside this transaction.
            return await self.ranks.list_page(
                is_active=is_active, skip=skip, limit=limit, latest=True
            )
        return await self.ranks.list_page(is_active=is_active, skip=skip, limit=limit)

    def _defaults(self) -> list[OperationalRank]:
        return [
            OperationalRank(
                organization_id=self.organization_id,
                rank_code=code,
                display_name=name,
                sort_order=order,
                is_active=True,
                eligible_positions=[],
            )
            for order, (code, name) in enumerate(DEFAULT_RANKS)
        ]
