"""Queries of the organization's locations and operational ranks."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError

from shared.db.repository import TenantRepository
from shared.models import Location, OperationalRank


class UniqueClashError(Exception):
    """An insert or update met a unique constraint (a name, a code, a seeded rank)."""


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

        `UniqueClashError` leaves the transaction usable; set the fields here, not before, or
        the savepoint's opening flush would meet the clash outside it.
        """
        try:
            async with self.session.begin_nested():
                for key, value in fields.items():
                    setattr(location, key, value)
                self.session.add(location)
                await self.session.flush()
        except IntegrityError as exc:
            raise UniqueClashError from exc

    async def delete(self, location: Location) -> None:
        """Delete the location row."""
        await self.session.execute(
            delete(Location).where(
                Location.id == location.id, Location.organization_id == self.organization_id
            )
        )


class RankRepository(TenantRepository[OperationalRank]):
    """The caller's organization's operational ranks."""

    model = OperationalRank

    async def any_exist(self) -> bool:
        """Whether the organization has ranks yet."""
        return (await self.session.scalars(self.scoped().limit(1))).first() is not None

    async def seed(self, ranks: list[OperationalRank]) -> None:
        """Insert the default ranks; `UniqueClashError` when another request seeded them first."""
        try:
            async with self.session.begin_nested():
                self.session.add_all(ranks)
                await self.session.flush()
        except IntegrityError as exc:
            raise UniqueClashError from exc

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
