"""Operational ranks (addendum §3): seeded once per organization, codes unique in any case."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, get_args
from uuid import UUID

import msgspec

from api.locations.errors import DuplicateRankCodeError, RankCodeInUseError, RankNotFoundError
from api.locations.repository import RankedMember, RankRepository
from api.locations.schemas import (
    Position,
    RankCreate,
    RankIssue,
    RankReorder,
    RankUpdate,
    RankValidation,
)
from shared.catalog.system_roles import DEFAULT_RANKS
from shared.db.integrity import ClashError
from shared.events.contracts.ranks import RankChange, RankChanged
from shared.events.outbox import Outbox
from shared.models import OperationalRank
from shared.principal import Principal

# Set in the organization's settings once the defaults were written (or ranks already
# existed), so an organization that deletes every rank does not get them back.
RANKS_SEEDED = "operational_ranks_seeded"
ALL_POSITIONS = list(get_args(Position))
SEED_POSITIONS: dict[str, list[str]] = {
    "fire_chief": ALL_POSITIONS,
    "deputy_chief": ALL_POSITIONS,
    "assistant_chief": ALL_POSITIONS,
    "captain": ["captain", "officer", "driver", "firefighter", "ems", "lieutenant"],
    "lieutenant": ["lieutenant", "officer", "driver", "firefighter", "ems"],
    "engineer": ["driver", "firefighter", "ems"],
    "firefighter": ["firefighter", "ems"],
    "emt": ["ems", "firefighter"],
}
FULL_LIST = 1000  # far more ranks than any department has


@dataclass
class RankService:
    """The ranks of one caller's organization."""

    ranks: RankRepository
    outbox: Outbox
    principal: Principal

    async def list_page(
        self, *, is_active: bool | None, skip: int, limit: int
    ) -> Sequence[OperationalRank]:
        """A page of ranks; the organization's first read seeds the defaults, once."""
        seeded = (await self.ranks.organization_settings()).get(RANKS_SEEDED) is True
        if not seeded:
            await self._seed_once()
        # After seeding, read what is committed: another request may have seeded first.
        return await self.ranks.list_page(
            is_active=is_active, skip=skip, limit=limit, latest=not seeded
        )

    async def get(self, rank_id: UUID) -> OperationalRank:
        """One rank (404 when missing or foreign)."""
        found = await self.ranks.get(rank_id)
        if found is None:
            raise RankNotFoundError
        return found

    async def validate(self) -> RankValidation:
        """Members whose rank matches no rank row exactly (inactive rows count)."""
        codes = await self.ranks.all_codes()
        issues = [
            RankIssue(member_id=m.id, member_name=_name(m), rank_code=m.rank)
            for m in await self.ranks.ranked_members()
            if m.rank not in codes
        ]
        return RankValidation(issues=issues, total=len(issues))

    async def create(self, request: RankCreate) -> OperationalRank:
        """A new rank (409 for a code the organization has in any case)."""
        code = request.rank_code.strip()
        await self._refuse_taken(code, besides=None)
        rank = OperationalRank(organization_id=self.principal.organization_id)
        fields = {**msgspec.structs.asdict(request), "rank_code": code}
        await self._save(rank, fields, code)
        self._publish("created", [rank.id], [code])
        return rank

    async def update(self, rank_id: UUID, request: RankUpdate) -> OperationalRank:
        """Set the fields sent; a code members hold cannot change (they keep it as is)."""
        rank = await self._locked(rank_id)
        fields = {
            key: value
            for key, value in msgspec.structs.asdict(request).items()
            if value is not msgspec.UNSET
        }
        old_code, codes = rank.rank_code, [rank.rank_code]
        if "rank_code" in fields:
            fields["rank_code"] = fields["rank_code"].strip()
            if fields["rank_code"] != old_code:
                await self._refuse_held(old_code)
                await self._refuse_taken(fields["rank_code"], besides=rank.id)
                codes.append(fields["rank_code"])
        changed = sorted(k for k, v in fields.items() if getattr(rank, k) != v)
        await self._save(rank, fields, fields.get("rank_code", old_code))
        if changed:
            self._publish("updated", [rank_id], codes, changed)
        return rank

    async def delete(self, rank_id: UUID) -> None:
        """Delete the rank for good, even while members hold its code (validate lists them)."""
        rank = await self._locked(rank_id)
        await self.ranks.delete(rank)
        self._publish("deleted", [rank.id], [rank.rank_code])

    async def reorder(self, request: RankReorder) -> Sequence[OperationalRank]:
        """New sort orders for the organization's ranks among those sent; the full list."""
        places = {place.id: place.sort_order for place in request.ranks}
        moved = [
            rank
            for rank in await self.ranks.many_for_update(list(places))
            if rank.sort_order != places[rank.id]
        ]
        for rank in moved:
            rank.sort_order = places[rank.id]
        if moved:
            self._publish(
                "reordered", [r.id for r in moved], [r.rank_code for r in moved], ["sort_order"]
            )
        return await self.ranks.list_page(is_active=None, skip=0, limit=FULL_LIST)

    async def _seed_once(self) -> None:
        """Write the defaults unless ranks exist, and record it; under the organization's lock."""
        organization = await self.ranks.organization_for_update()
        if organization is None or organization.settings.get(RANKS_SEEDED) is True:
            return  # another request seeded while this one waited for the lock
        if not await self.ranks.any_exist():
            self.ranks.add_all(self._defaults())
        organization.settings = {**organization.settings, RANKS_SEEDED: True}

    def _defaults(self) -> list[OperationalRank]:
        return [
            OperationalRank(
                organization_id=self.principal.organization_id,
                rank_code=code,
                display_name=name,
                sort_order=order,
                is_active=True,
                eligible_positions=list(SEED_POSITIONS[code]),
            )
            for order, (code, name) in enumerate(DEFAULT_RANKS)
        ]

    async def _locked(self, rank_id: UUID) -> OperationalRank:
        found = await self.ranks.get_for_update(rank_id)
        if found is None:
            raise RankNotFoundError
        return found

    async def _refuse_taken(self, code: str, *, besides: UUID | None) -> None:
        if await self.ranks.code_taken(code, besides=besides):
            raise DuplicateRankCodeError(f"Rank code '{code}' already exists")

    async def _refuse_held(self, code: str) -> None:
        # Exact match: a member holding "Captain" does not hold "captain" (rank permissions and
        # validate compare exactly), though the database may compare without case.
        holders = [m for m in await self.ranks.ranked_members(like_code=code) if m.rank == code]
        if holders:
            raise RankCodeInUseError(
                f"Rank code is in use by {len(holders)} active member(s); "
                "create a new rank and reassign them"
            )

    async def _save(self, rank: OperationalRank, fields: dict[str, Any], code: str) -> None:
        try:
            await self.ranks.save(rank, fields)
        except ClashError as clash:
            if clash.field != "rank_code":
                raise
            # A concurrent request took the code.
            raise DuplicateRankCodeError(f"Rank code '{code}' already exists") from None

    def _publish(
        self,
        change: RankChange,
        rank_ids: list[UUID],
        codes: list[str],
        fields_changed: list[str] | None = None,
    ) -> None:
        self.outbox.add(
            RankChanged(
                change=change,
                rank_ids=rank_ids,
                rank_codes=codes,
                fields_changed=fields_changed or [],
            ),
            organization_id=self.principal.organization_id,
            actor_id=self.principal.user_id,
        )


def _name(member: RankedMember) -> str:
    """ "First Last", or the username when neither is set."""
    return " ".join(p for p in (member.first_name, member.last_name) if p) or member.username
