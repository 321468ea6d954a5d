"""The lists of the holder flows: issuances of an item or a member, open and overdue checkouts,
each row with its item's name and its member's display name."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select

from shared.db.repository import TenantRepository
from shared.models import CheckoutRecord, InventoryItem, ItemIssuance, User


class FlowListRepository(TenantRepository[ItemIssuance]):
    """The lists of the flows: issuances of an item or member, open and overdue checkouts."""

    model = ItemIssuance

    async def issuances(
        self,
        *,
        item_id: UUID | None,
        user_id: UUID | None,
        active_only: bool,
        skip: int,
        limit: int,
    ) -> Sequence[tuple[ItemIssuance, str, str]]:
        """Issuances newest first, each with its item's name and its member's display name."""
        stmt = (
            select(ItemIssuance, InventoryItem.name, *_NAME_COLUMNS)
            .join(InventoryItem, InventoryItem.id == ItemIssuance.item_id)
            .join(User, User.id == ItemIssuance.user_id)
            .where(ItemIssuance.organization_id == self.organization_id)
        )
        if item_id is not None:
            stmt = stmt.where(ItemIssuance.item_id == item_id)
        if user_id is not None:
            stmt = stmt.where(ItemIssuance.user_id == user_id)
        if active_only:
            stmt = stmt.where(ItemIssuance.is_returned.is_(False))
        stmt = stmt.order_by(ItemIssuance.issued_at.desc(), ItemIssuance.id.desc())
        rows = await self.session.execute(stmt.offset(skip).limit(limit))
        return [(row[0], row[1], display_name(*row[2:])) for row in rows]

    async def open_checkouts(
        self, *, user_id: UUID | None, overdue_at: datetime | None, skip: int, limit: int
    ) -> tuple[Sequence[tuple[CheckoutRecord, str, str]], int]:
        """Open checkouts (only those due before `overdue_at` when given) and their count:
        newest first, or the longest overdue first."""
        where = [
            CheckoutRecord.organization_id == self.organization_id,
            CheckoutRecord.is_returned.is_(False),
        ]
        if user_id is not None:
            where.append(CheckoutRecord.user_id == user_id)
        if overdue_at is not None:
            where.append(CheckoutRecord.expected_return_at < overdue_at)
        total = await self.session.scalar(
            select(func.count()).select_from(CheckoutRecord).where(*where)
        )
        order = (
            (CheckoutRecord.expected_return_at.asc(), CheckoutRecord.id)
            if overdue_at is not None
            else (CheckoutRecord.checked_out_at.desc(), CheckoutRecord.id.desc())
        )
        stmt = (
            select(CheckoutRecord, InventoryItem.name, *_NAME_COLUMNS)
            .join(InventoryItem, InventoryItem.id == CheckoutRecord.item_id)
            .join(User, User.id == CheckoutRecord.user_id)
            .where(*where)
            .order_by(*order)
            .offset(skip)
            .limit(limit)
        )
        rows = [(r[0], r[1], display_name(*r[2:])) for r in await self.session.execute(stmt)]
        return rows, int(total or 0)


_NAME_COLUMNS = (User.first_name, User.last_name, User.username)


def display_name(first: str | None, last: str | None, username: str) -> str:
    """ "First Last", else the username (spec §7.6)."""
    return " ".join(part for part in (first, last) if part) or username
