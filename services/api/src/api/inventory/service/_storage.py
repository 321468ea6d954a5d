"""Storage areas (spec inventory.md §6.9 #31): a tree of active areas, or the flat list."""

from uuid import UUID

import msgspec

from api.inventory.schemas import StorageAreaRead
from api.inventory.service._base import InventoryServiceBase


class StorageReading(InventoryServiceBase):
    """The storage areas the item pages offer."""

    async def storage_areas(
        self, *, location_id: UUID | None, parent_id: UUID | None, flat: bool
    ) -> list[StorageAreaRead]:
        """Active areas by sort order and name; nested under their parents unless `flat`.

        An area whose parent is not in the answer is a root.
        """
        reads = {read.id: read for read in await self._area_reads(location_id, parent_id)}
        if flat:
            return list(reads.values())
        roots = []
        for read in reads.values():
            parent = reads.get(read.parent_id) if read.parent_id else None
            if parent is None:
                roots.append(read)
            else:
                read.parent_name = parent.name
                parent.children.append(read)
        return roots

    async def _area_reads(
        self, location_id: UUID | None, parent_id: UUID | None
    ) -> list[StorageAreaRead]:
        rows = await self.areas.list_active(location_id=location_id, parent_id=parent_id)
        reads = []
        for row in rows:
            read = msgspec.convert(row.area, StorageAreaRead, from_attributes=True)
            read.item_count = row.item_count
            read.location_name = row.location_name
            reads.append(read)
        return reads
