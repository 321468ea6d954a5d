"""Checks and writes both item creation and editing use: references, category requirements,
codes (normalised, generated, clashing) and the conditions for retiring."""

from decimal import Decimal
from typing import Any
from uuid import UUID

from api.inventory.errors import (
    BarcodeExhaustedError,
    CategoryRequirementError,
    DuplicateCodeError,
    InvalidReferenceError,
    ItemStateError,
)
from api.inventory.service._base import InventoryServiceBase
from shared.db.integrity import ClashError
from shared.models import InventoryCategory, InventoryItem, ItemCondition, ItemStatus

CODES = ("barcode", "serial_number", "asset_tag")
MONEY = ("purchase_price", "current_value", "replacement_cost")
CENT = Decimal("0.01")
# Body ids whose tables are LATER: no vendor or variant group exists yet, so none is ours.
NOT_YET = {"vendor_id": "Invalid vendor", "variant_group_id": "Invalid variant group"}
SAVE_ATTEMPTS = 5  # a generated barcode that a concurrent hand-entered one took: try the next
SKIPS = 1000  # taken numbers passed over in one generation before giving up


def normalised(fields: dict[str, Any]) -> dict[str, Any]:
    """`fields` with codes trimmed (blank → null) and money rounded to cents."""
    out = dict(fields)
    for key in CODES:
        if isinstance(out.get(key), str):
            out[key] = out[key].strip() or None
    for key in MONEY:
        if isinstance(out.get(key), float):
            out[key] = Decimal(repr(out[key])).quantize(CENT)
    if isinstance(out.get("name"), str):
        out["name"] = out["name"].strip()
    return out


class ItemRules(InventoryServiceBase):
    """What item writes check and how they save."""

    async def _check_references(self, changes: dict[str, Any]) -> InventoryCategory | None:
        """400 `Invalid <thing>` for ids in `changes` that are not the organization's; the
        category named, if any."""
        for key, detail in NOT_YET.items():
            if changes.get(key) is not None:
                raise InvalidReferenceError(detail)
        location_id = changes.get("location_id")
        if location_id is not None and not await self.references.location_exists(location_id):
            raise InvalidReferenceError("Invalid location")
        area_id = changes.get("storage_area_id")
        if area_id is not None and not await self.references.storage_area_exists(area_id):
            raise InvalidReferenceError("Invalid storage area")
        category_id: UUID | None = changes.get("category_id")
        if category_id is None:
            return None
        category = await self.categories.get(category_id)
        if category is None:
            raise InvalidReferenceError("Invalid category")
        return category

    @staticmethod
    def _check_requirements(
        category: InventoryCategory, serial_number: str | None, interval: int | None
    ) -> None:
        """400 when the category asks for a serial number or an inspection interval (§4)."""
        if category.requires_serial_number and serial_number is None:
            raise CategoryRequirementError(f"Category '{category.name}' requires a serial_number")
        if category.requires_maintenance and interval is None:
            raise CategoryRequirementError(
                f"Category '{category.name}' requires an inspection_interval_days"
            )

    async def _save(self, item: InventoryItem, fields: dict[str, Any]) -> None:
        """Write the item; 409 naming the code another item holds."""
        try:
            await self.items.save(item, fields)
        except ClashError as clash:
            raise _duplicate(clash, fields) from None

    async def _insert(self, item: InventoryItem, fields: dict[str, Any]) -> None:
        """Write a new item, generating its barcode when none was given (§4, §5.6)."""
        if fields.get("barcode") is not None:
            await self._save(item, fields)
            return
        for _ in range(SAVE_ATTEMPTS):
            fields["barcode"] = await self._next_barcode()
            try:
                await self.items.save(item, fields)
            except ClashError as clash:
                if clash.field == "barcode":
                    continue  # entered by hand concurrently: the counter has moved past it
                raise _duplicate(clash, fields) from None
            return
        raise BarcodeExhaustedError

    async def _next_barcode(self) -> str:
        """The next free `<prefix><number>` of the locked counter, skipping taken numbers."""
        counter = await self.counters.locked()
        number = counter.next_number
        for _ in range(SKIPS):
            code = f"{counter.prefix}{number:06d}"
            number += 1
            if not await self.counters.code_taken(code):
                await self.counters.advance(counter, number)
                return code
        await self.counters.advance(counter, number)
        raise BarcodeExhaustedError

    async def _refuse_retiring_held(self, item: InventoryItem) -> None:
        """409 naming what still holds the item and what to do first (§5.8)."""
        holds = await self.holders.holds(item.id)
        if holds.assigned or item.status is ItemStatus.ASSIGNED:
            raise ItemStateError("Item is assigned to a member; unassign it before retiring it")
        if holds.checked_out or item.status is ItemStatus.CHECKED_OUT:
            raise ItemStateError("Item is checked out; check it in before retiring it")
        if holds.issued_units:
            raise ItemStateError(
                f"{holds.issued_units} unit(s) of this item are issued to members; "
                "return them before retiring it"
            )


RETIRED_FIELDS: dict[str, Any] = {
    "status": ItemStatus.RETIRED,
    "condition": ItemCondition.RETIRED,
    "active": False,
}


def _duplicate(clash: ClashError, fields: dict[str, Any]) -> Exception:
    """The 409 naming the clashing field and value, or the clash itself if it is no code."""
    if clash.field in CODES:
        value = fields.get(clash.field)
        return DuplicateCodeError(f"An item with {clash.field} '{value}' already exists")
    return clash
