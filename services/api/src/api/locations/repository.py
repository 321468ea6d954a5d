"""Queries of the organization's locations and operational ranks."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import delete, exists, func, select

from shared.db.integrity import guarded
from shared.db.repository import TenantRepository
from shared.models import Location, MemberStatus, OperationalRank, Organization, User

OFF_THE_ROLL = (
    MemberStatus.RETIRED,
    MemberStatus.ARCHIVED,
    MemberStatus.DROPPED_VOLUNTARY,
    MemberStatus.DROPPED_INVOLUNTARY,
)


@dataclass(frozen=True)
class RankedMember:
    """A member's name and the rank code they hold."""

    id: UUID
    first_name: str | None
    last_name: str | None
    username: str
    rank: str


class LocationRepository(TenantRepository[Location]):
    """The caller's organization's locations."""

    model = Location

    async def list_page(
        self, *, is_active: bool | None, exclude_rooms: bool, skip: int, limit: int
    ) -> Sequence[Location]:
        """A page of locations by name."""
        stmt = self.scoped()
        if is_active is not None:
            stmt = stmt.where(Location.is_active.is_(is_active))
        if exclude_rooms:
            stmt = stmt.where(Location.facility_room_id.is_(None))
        stmt = stmt.order_by(Location.name, Location.id).offset(skip).limit(limit)
        return (await self.session.scalars(stmt)).all()

    async def get_for_update(self, location_id: UUID) -> Location | None:
        """The location, locked until commit."""
        stmt = self.scoped().where(Location.id == location_id).with_for_update()
        return (await self.session.scalars(stmt)).first()

    async def name_taken(
        self, name_key: str, building_key: str, *, besides: UUID | None, latest: bool = False
    ) -> bool:
        """Whether another location of the same building has this name.

        `latest` reads with a shared lock, which also sees rows committed after this
        transaction's snapshot (a concurrent create that just won the race).
        """
        stmt = self.scoped().where(
            Location.name_key == name_key, Location.building_key == building_key
        )
        if besides is not None:
            stmt = stmt.where(Location.id != besides)
        if latest:
            stmt = stmt.with_for_update(read=True)
        # The location being checked may hold the clashing name unsaved: never flush it here.
        with self.session.no_autoflush:
            return (await self.session.scalars(stmt.limit(1))).first() is not None

    async def code_in_use(self, code: str) -> bool:
        """Whether any organization's location has this code (codes are globally unique)."""
        with self.session.no_autoflush:
            found = await self.session.scalar(select(exists().where(Location.display_code == code)))
        return bool(found)

    async def save(self, location: Location, fields: dict[str, Any]) -> None:
        """Set `fields` and write the location in a savepoint.

        A `ClashError` leaves the transaction usable; the fields are set here, not before, or
        the savepoint's opening flush would meet the clash outside it.
        """
        async with guarded(self.session):
            for key, value in fields.items():
                setattr(location, key, value)
            self.session.add(location)

    async def delete(self, location: Location) -> None:
        """Delete the location row."""
        await self.session.execute(
            delete(Location).where(
                Location.id == location.id, Location.organization_id == self.organization_id
            )
        )


class RankRepository(TenantRepository[OperationalRank]):
    """The caller's organization's operational ranks, and what they need of its members."""

    model = OperationalRank

    async def organization_settings(self) -> dict[str, Any]:
        """The organization's settings document (which records that ranks were seeded)."""
        stmt = select(Organization.settings).where(Organization.id == self.organization_id)
        return dict(await self.session.scalar(stmt) or {})

    async def organization_for_update(self) -> Organization | None:
        """The organization row, locked until commit: first reads seed one at a time."""
        stmt = select(Organization).where(Organization.id == self.organization_id)
        return (await self.session.scalars(stmt.with_for_update())).first()

    async def any_exist(self) -> bool:
        """Whether the organization has ranks, as committed (a locking read)."""
        stmt = self.scoped().limit(1).with_for_update(read=True)
        return (await self.session.scalars(stmt)).first() is not None

    def add_all(self, ranks: list[OperationalRank]) -> None:
        """Queue new ranks (written at the next flush)."""
        self.session.add_all(ranks)

    async def list_page(
        self, *, is_active: bool | None, skip: int, limit: int, latest: bool = False
    ) -> Sequence[OperationalRank]:
        """A page of ranks by sort order, then name.

        `latest` reads with a shared lock, which sees rows committed after this transaction's
        snapshot (MariaDB's REPEATABLE READ): the ranks another request just seeded.
        """
        stmt = self.scoped()
        if is_active is not None:
            stmt = stmt.where(OperationalRank.is_active.is_(is_active))
        stmt = stmt.order_by(
            OperationalRank.sort_order, OperationalRank.display_name, OperationalRank.id
        )
        stmt = stmt.offset(skip).limit(limit)
        if latest:
            stmt = stmt.with_for_update(read=True)
        return (await self.session.scalars(stmt)).all()

    async def get_for_update(self, rank_id: UUID) -> OperationalRank | None:
        """The rank, locked until commit."""
        stmt = self.scoped().where(OperationalRank.id == rank_id).with_for_update()
        return (await self.session.scalars(stmt)).first()

    async def many_for_update(self, rank_ids: list[UUID]) -> Sequence[OperationalRank]:
        """Those of the ranks that belong to the organization, locked until commit."""
        stmt = self.scoped().where(OperationalRank.id.in_(rank_ids)).with_for_update()
        return (await self.session.scalars(stmt)).all()

    async def code_taken(self, code: str, *, besides: UUID | None) -> bool:
        """Whether another rank has this code in any case."""
        stmt = self.scoped().where(func.lower(OperationalRank.rank_code) == code.lower())
        if besides is not None:
            stmt = stmt.where(OperationalRank.id != besides)
        # The rank being checked may hold the code unsaved: never flush it here.
        with self.session.no_autoflush:
            return (await self.session.scalars(stmt.limit(1))).first() is not None

    async def all_codes(self) -> set[str]:
        """Every rank code of the organization, active or not."""
        stmt = select(OperationalRank.rank_code).where(
            OperationalRank.organization_id == self.organization_id
        )
        return set((await self.session.scalars(stmt)).all())

    async def save(self, rank: OperationalRank, fields: dict[str, Any]) -> None:
        """Set `fields` and write the rank in a savepoint; `ClashError` on a code clash."""
        async with guarded(self.session):
            for key, value in fields.items():
                setattr(rank, key, value)
            self.session.add(rank)

    async def delete(self, rank: OperationalRank) -> None:
        """Delete the rank row (members keep their code: nothing cascades)."""
        await self.session.execute(
            delete(OperationalRank).where(
                OperationalRank.id == rank.id,
                OperationalRank.organization_id == self.organization_id,
            )
        )

    async def ranked_members(self, *, like_code: str | None = None) -> Sequence[RankedMember]:
        """Members still on the roll who hold a rank (optionally: this code in any case).

        Soft-deleted members and those retired, archived or dropped are left out.
        """
        stmt = select(User.id, User.first_name, User.last_name, User.username, User.rank).where(
            User.organization_id == self.organization_id,
            User.deleted_at.is_(None),
            User.rank.is_not(None),
            User.rank != "",
            User.status.not_in(OFF_THE_ROLL),
        )
        if like_code is not None:
            stmt = stmt.where(func.lower(User.rank) == like_code.lower())
        stmt = stmt.order_by(User.last_name, User.first_name, User.id)
        rows = (await self.session.execute(stmt)).all()
        return [
            RankedMember(row.id, row.first_name, row.last_name, row.username, row.rank or "")
            for row in rows
        ]
