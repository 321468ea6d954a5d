"""Rows the inventory reads but does not own, and its own storage areas and barcode counter."""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from api.inventory.repository._flow_lists import display_name
from shared.db.repository import TenantRepository
from shared.models import InventoryBarcodeCounter, InventoryItem, Location, StorageArea, User


@dataclass(frozen=True)
class AreaRow:
    """A storage area with its room's name and its count of active items."""

    area: StorageArea
    location_name: str | None
    item_count: int


class StorageAreaRepository(TenantRepository[StorageArea]):
    """The caller's organization's storage areas (read-only in CORE)."""

    model = StorageArea

    async def list_active(
        self, *, location_id: UUID | None, parent_id: UUID | None
    ) -> Sequence[AreaRow]:
        """Active areas by sort order and name, with room names and active item counts."""
        counts = (
            select(InventoryItem.storage_area_id, func.count().label("n"))
            .where(
                InventoryItem.organization_id == self.organization_id,
                InventoryItem.active.is_(True),
                InventoryItem.storage_area_id.is_not(None),
            )
            .group_by(InventoryItem.storage_area_id)
            .subquery()
        )
        stmt = (
            select(StorageArea, Location.name, counts.c.n)
            .outerjoin(Location, Location.id == StorageArea.location_id)
            .outerjoin(counts, counts.c.storage_area_id == StorageArea.id)
            .where(
                StorageArea.organization_id == self.organization_id,
                StorageArea.is_active.is_(True),
            )
            .order_by(StorageArea.sort_order, StorageArea.name, StorageArea.id)
        )
        if location_id is not None:
            stmt = stmt.where(StorageArea.location_id == location_id)
        if parent_id is not None:
            stmt = stmt.where(StorageArea.parent_id == parent_id)
        rows = await self.session.execute(stmt)
        return [AreaRow(area, name, int(n or 0)) for area, name, n in rows]


class ReferenceRepository(TenantRepository[Location]):
    """Rooms and members of the organization, which other modules own."""

    model = Location

    async def location_exists(self, location_id: UUID) -> bool:
        """Whether the room is the organization's."""
        return await self.get(location_id) is not None

    async def storage_area_exists(self, area_id: UUID) -> bool:
        """Whether the storage area is the organization's."""
        stmt = select(StorageArea.id).where(
            StorageArea.organization_id == self.organization_id, StorageArea.id == area_id
        )
        return (await self.session.scalar(stmt)) is not None

    async def member_names(self, user_ids: set[UUID]) -> dict[UUID, str]:
        """ "First Last" of these members, else their username (spec §7.6)."""
        if not user_ids:
            return {}
        stmt = select(User.id, User.first_name, User.last_name, User.username).where(
            User.organization_id == self.organization_id, User.id.in_(user_ids)
        )
        return {row[0]: display_name(*row[1:]) for row in await self.session.execute(stmt)}


class CounterRepository:
    """The organization's generated-barcode counter (one row, keyed by the organization)."""

    def __init__(self, session: AsyncSession, organization_id: UUID) -> None:
        self.session = session
        self.organization_id = organization_id

    async def locked(self) -> InventoryBarcodeCounter:
        """The counter row, locked until commit; created on the organization's first use."""
        # Create-if-missing as one upsert: it takes the row's exclusive lock straight away. A
        # plain insert that meets a concurrent one takes a shared lock on the duplicate, and two
        # such requests asking for the exclusive lock next deadlock (seen on MariaDB).
        dialect = self.session.get_bind().dialect.name
        if dialect in ("mysql", "mariadb"):
            upsert = mysql_insert(InventoryBarcodeCounter).values(
                organization_id=self.organization_id
            )
            await self.session.execute(
                upsert.on_duplicate_key_update(next_number=upsert.table.c.next_number)
            )
        else:
            insert = sqlite_insert(InventoryBarcodeCounter).values(
                organization_id=self.organization_id
            )
            await self.session.execute(insert.on_conflict_do_nothing())
        mine = select(InventoryBarcodeCounter).where(
            InventoryBarcodeCounter.organization_id == self.organization_id
        )
        locked = mine.with_for_update().execution_options(populate_existing=True)
        return (await self.session.scalars(locked)).one()

    async def code_taken(self, code: str) -> bool:
        """Whether an item of the organization holds this barcode, in any case."""
        stmt = select(InventoryItem.id).where(
            InventoryItem.organization_id == self.organization_id,
            InventoryItem.barcode_lower == code.lower(),
        )
        with self.session.no_autoflush:
            return (await self.session.scalar(stmt.limit(1))) is not None

    async def advance(self, counter: InventoryBarcodeCounter, next_number: int) -> None:
        """Move the counter past the number just used."""
        counter.next_number = next_number
        await self.session.flush()
