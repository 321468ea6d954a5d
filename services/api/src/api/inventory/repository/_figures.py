"""Dashboard figures and members' holdings (spec inventory.md §6.7, §6.8), overdue derived live."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import ColumnElement, Subquery, and_, case, func, or_, select

from shared.db.repository import TenantRepository
from shared.models import (
    CheckoutRecord,
    InventoryCategory,
    InventoryItem,
    ItemAssignment,
    ItemCondition,
    ItemIssuance,
    ItemStatus,
    ItemType,
    Location,
    MemberStatus,
    TrackingType,
    User,
)

# A member's holdings list stops here (§6.8 #30).
HOLDINGS_LIMIT = 200
LOW_STOCK_SAMPLE = 5
# An individual item is one unit whatever its stored quantity; a pool counts its on-hand units.
UNITS = case(
    (InventoryItem.tracking_type == TrackingType.INDIVIDUAL, 1), else_=InventoryItem.quantity
)


def overdue(now: datetime) -> ColumnElement[bool]:
    """An open checkout past its due time at `now` (§5.9): never the stored flag."""
    return and_(
        CheckoutRecord.is_returned.is_(False),
        CheckoutRecord.expected_return_at.is_not(None),
        CheckoutRecord.expected_return_at < now,
    )


@dataclass(frozen=True)
class ItemTotals:
    """Counts and sums over a set of active items."""

    units: int
    value: float
    by_status: dict[ItemStatus, int]
    by_condition: dict[ItemCondition, int]
    maintenance_due: int


@dataclass(frozen=True)
class LocationTotals:
    """Active items of one location (None: of no location)."""

    location_id: UUID | None
    location_name: str | None
    item_count: int
    units: int
    value: float


@dataclass(frozen=True)
class LowStock:
    """A category whose stock is at or below its threshold, and its emptiest items."""

    category_id: UUID
    category_name: str
    item_type: ItemType
    stock: int
    threshold: int
    items: list[tuple[str, int]]


@dataclass(frozen=True)
class MemberCounts:
    """What one active member holds."""

    user_id: UUID
    username: str
    first_name: str | None
    middle_name: str | None
    last_name: str | None
    membership_number: str | None
    assigned: int
    checked_out: int
    issued_units: int
    overdue: int


@dataclass(frozen=True)
class AssignmentHeld:
    """An active assignment with its item."""

    assignment_id: UUID
    item_id: UUID
    item_name: str
    serial_number: str | None
    asset_tag: str | None
    condition: ItemCondition
    assigned_date: datetime
    category_name: str | None


@dataclass(frozen=True)
class CheckoutHeld:
    """An open checkout with its item."""

    checkout_id: UUID
    item_id: UUID
    item_name: str
    checked_out_at: datetime
    expected_return_at: datetime | None
    is_overdue: bool


@dataclass(frozen=True)
class IssuanceHeld:
    """An open issuance with its pool item."""

    issuance_id: UUID
    item_id: UUID
    item_name: str
    quantity_issued: int
    issued_at: datetime
    size: str | None
    category_name: str | None


def _money(value: Decimal | float | None) -> float:
    return float(value or 0)


class FigureRepository(TenantRepository[InventoryItem]):
    """Aggregates over the caller's organization's items and their holders."""

    model = InventoryItem

    def _active_items(self, holder: UUID | None) -> list[ColumnElement[bool]]:
        """Active items of the organization; with `holder`, only those they hold or borrowed."""
        conditions = [
            InventoryItem.organization_id == self.organization_id,
            InventoryItem.active.is_(True),
        ]
        if holder is not None:
            assigned = select(ItemAssignment.item_id).where(
                ItemAssignment.organization_id == self.organization_id,
                ItemAssignment.user_id == holder,
                ItemAssignment.is_active.is_(True),
            )
            borrowed = select(CheckoutRecord.item_id).where(
                CheckoutRecord.organization_id == self.organization_id,
                CheckoutRecord.user_id == holder,
                CheckoutRecord.is_returned.is_(False),
            )
            conditions.append(or_(InventoryItem.id.in_(assigned), InventoryItem.id.in_(borrowed)))
        return conditions

    async def item_totals(self, *, holder: UUID | None, due_by: date) -> ItemTotals:
        """Units, value, rows by status and condition, and items due for maintenance."""
        where = self._active_items(holder)
        due = or_(
            InventoryItem.next_inspection_due <= due_by,
            InventoryItem.status == ItemStatus.IN_MAINTENANCE,
        )
        units, value, maintenance = (
            await self.session.execute(
                select(
                    func.coalesce(func.sum(UNITS), 0),
                    func.coalesce(func.sum(InventoryItem.current_value * UNITS), 0),
                    func.count(case((due, 1))),
                ).where(*where)
            )
        ).one()
        statuses = await self.session.execute(
            select(InventoryItem.status, func.count()).where(*where).group_by(InventoryItem.status)
        )
        conditions = await self.session.execute(
            select(InventoryItem.condition, func.count())
            .where(*where)
            .group_by(InventoryItem.condition)
        )
        return ItemTotals(
            units=int(units),
            value=_money(value),
            by_status={row[0]: int(row[1]) for row in statuses},
            by_condition={row[0]: int(row[1]) for row in conditions},
            maintenance_due=int(maintenance),
        )

    async def checkout_counts(self, *, holder: UUID | None, now: datetime) -> tuple[int, int]:
        """Open checkouts (of `holder`, else everyone's) and how many of them are overdue."""
        where = [
            CheckoutRecord.organization_id == self.organization_id,
            CheckoutRecord.is_returned.is_(False),
        ]
        if holder is not None:
            where.append(CheckoutRecord.user_id == holder)
        open_count, late = (
            await self.session.execute(
                select(func.count(), func.count(case((overdue(now), 1)))).where(*where)
            )
        ).one()
        return int(open_count), int(late)

    async def by_location(self) -> list[LocationTotals]:
        """Active items per location, the most items first; items of no location last."""
        stmt = (
            select(
                InventoryItem.location_id,
                Location.name,
                func.count(),
                func.coalesce(func.sum(UNITS), 0),
                func.coalesce(func.sum(InventoryItem.current_value * UNITS), 0),
            )
            .outerjoin(
                Location,
                and_(
                    Location.id == InventoryItem.location_id,
                    Location.organization_id == self.organization_id,
                ),
            )
            .where(*self._active_items(None))
            .group_by(InventoryItem.location_id, Location.name)
        )
        rows = [
            LocationTotals(row[0], row[1], int(row[2]), int(row[3]), _money(row[4]))
            for row in await self.session.execute(stmt)
        ]
        located = sorted(
            (row for row in rows if row.location_id is not None),
            key=lambda row: (-row.item_count, row.location_name or "", str(row.location_id)),
        )
        return located + [row for row in rows if row.location_id is None]

    async def low_stock(self) -> list[LowStock]:
        """Active categories with a threshold, ≥1 active item and stock at or below it."""
        stock = (
            select(
                InventoryItem.category_id.label("category_id"),
                func.sum(InventoryItem.quantity).label("stock"),
            )
            .where(*self._active_items(None), InventoryItem.category_id.is_not(None))
            .group_by(InventoryItem.category_id)
            .subquery()
        )
        stmt = (
            select(InventoryCategory, stock.c.stock)
            .join(stock, stock.c.category_id == InventoryCategory.id)
            .where(
                InventoryCategory.organization_id == self.organization_id,
                InventoryCategory.active.is_(True),
                InventoryCategory.low_stock_threshold.is_not(None),
                stock.c.stock <= InventoryCategory.low_stock_threshold,
            )
            .order_by(InventoryCategory.name, InventoryCategory.id)
        )
        alerts = [(category, int(level)) for category, level in await self.session.execute(stmt)]
        samples = await self._emptiest_items([category.id for category, _ in alerts])
        return [
            LowStock(
                category_id=category.id,
                category_name=category.name,
                item_type=category.item_type,
                stock=level,
                threshold=int(category.low_stock_threshold or 0),
                items=samples.get(category.id, []),
            )
            for category, level in alerts
        ]

    async def _emptiest_items(self, category_ids: list[UUID]) -> dict[UUID, list[tuple[str, int]]]:
        """Up to five active items per category, lowest quantity first."""
        if not category_ids:
            return {}
        place = (
            func.row_number()
            .over(
                partition_by=InventoryItem.category_id,
                order_by=(InventoryItem.quantity, InventoryItem.name, InventoryItem.id),
            )
            .label("place")
        )
        ranked = (
            select(InventoryItem.category_id, InventoryItem.name, InventoryItem.quantity, place)
            .where(*self._active_items(None), InventoryItem.category_id.in_(category_ids))
            .subquery()
        )
        stmt = (
            select(ranked.c.category_id, ranked.c.name, ranked.c.quantity)
            .where(ranked.c.place <= LOW_STOCK_SAMPLE)
            .order_by(ranked.c.category_id, ranked.c.place)
        )
        samples: dict[UUID, list[tuple[str, int]]] = {}
        for category_id, name, quantity in await self.session.execute(stmt):
            samples.setdefault(category_id, []).append((name, int(quantity)))
        return samples

    def _holder_counts(self, now: datetime) -> tuple[Subquery, Subquery, Subquery]:
        """Per member: active assignments; open and overdue checkouts; units out (`n`, `late`)."""
        org = self.organization_id
        assigned = (
            select(ItemAssignment.user_id, func.count().label("n"))
            .where(ItemAssignment.organization_id == org, ItemAssignment.is_active.is_(True))
            .group_by(ItemAssignment.user_id)
            .subquery()
        )
        borrowed = (
            select(
                CheckoutRecord.user_id,
                func.count().label("n"),
                func.count(case((overdue(now), 1))).label("late"),
            )
            .where(CheckoutRecord.organization_id == org, CheckoutRecord.is_returned.is_(False))
            .group_by(CheckoutRecord.user_id)
            .subquery()
        )
        issued = (
            select(ItemIssuance.user_id, func.sum(ItemIssuance.quantity_issued).label("n"))
            .where(ItemIssuance.organization_id == org, ItemIssuance.is_returned.is_(False))
            .group_by(ItemIssuance.user_id)
            .subquery()
        )
        return assigned, borrowed, issued

    async def member_counts(self, *, search: str | None, now: datetime) -> list[MemberCounts]:
        """Every active member (matching `search`) with what they hold, by last then first name."""
        assigned, borrowed, issued = self._holder_counts(now)
        stmt = (
            select(
                User.id,
                User.username,
                User.first_name,
                User.middle_name,
                User.last_name,
                User.membership_number,
                func.coalesce(assigned.c.n, 0),
                func.coalesce(borrowed.c.n, 0),
                func.coalesce(issued.c.n, 0),
                func.coalesce(borrowed.c.late, 0),
            )
            .outerjoin(assigned, assigned.c.user_id == User.id)
            .outerjoin(borrowed, borrowed.c.user_id == User.id)
            .outerjoin(issued, issued.c.user_id == User.id)
            .where(
                User.organization_id == self.organization_id,
                User.status == MemberStatus.ACTIVE,
                User.deleted_at.is_(None),
            )
            .order_by(User.last_name, User.first_name, User.id)
        )
        if search:
            needle = search.lower()
            searched = (User.username, User.first_name, User.last_name, User.membership_number)
            stmt = stmt.where(
                or_(*(func.lower(column).contains(needle, autoescape=True) for column in searched))
            )
        return [
            MemberCounts(*row[:6], *(int(count) for count in row[6:]))
            for row in await self.session.execute(stmt)
        ]

    async def assignments_of(self, user_id: UUID) -> list[AssignmentHeld]:
        """The member's active assignments, newest first."""
        stmt = (
            select(
                ItemAssignment.id,
                ItemAssignment.item_id,
                InventoryItem.name,
                InventoryItem.serial_number,
                InventoryItem.asset_tag,
                InventoryItem.condition,
                ItemAssignment.assigned_date,
                InventoryCategory.name,
            )
            .join(InventoryItem, InventoryItem.id == ItemAssignment.item_id)
            .outerjoin(InventoryCategory, InventoryCategory.id == InventoryItem.category_id)
            .where(
                ItemAssignment.organization_id == self.organization_id,
                ItemAssignment.user_id == user_id,
                ItemAssignment.is_active.is_(True),
            )
            .order_by(ItemAssignment.assigned_date.desc(), ItemAssignment.id.desc())
            .limit(HOLDINGS_LIMIT)
        )
        return [AssignmentHeld(*row) for row in await self.session.execute(stmt)]

    async def checkouts_of(self, user_id: UUID, *, now: datetime) -> list[CheckoutHeld]:
        """The member's open checkouts, newest first, overdue as of `now`."""
        stmt = (
            select(
                CheckoutRecord.id,
                CheckoutRecord.item_id,
                InventoryItem.name,
                CheckoutRecord.checked_out_at,
                CheckoutRecord.expected_return_at,
                case((overdue(now), True), else_=False),
            )
            .join(InventoryItem, InventoryItem.id == CheckoutRecord.item_id)
            .where(
                CheckoutRecord.organization_id == self.organization_id,
                CheckoutRecord.user_id == user_id,
                CheckoutRecord.is_returned.is_(False),
            )
            .order_by(CheckoutRecord.checked_out_at.desc(), CheckoutRecord.id.desc())
            .limit(HOLDINGS_LIMIT)
        )
        return [
            CheckoutHeld(
                checkout_id=row[0],
                item_id=row[1],
                item_name=row[2],
                checked_out_at=row[3],
                expected_return_at=row[4],
                is_overdue=bool(row[5]),
            )
            for row in await self.session.execute(stmt)
        ]

    async def issuances_of(self, user_id: UUID) -> list[IssuanceHeld]:
        """The member's open issuances, newest first."""
        stmt = (
            select(
                ItemIssuance.id,
                ItemIssuance.item_id,
                InventoryItem.name,
                ItemIssuance.quantity_issued,
                ItemIssuance.issued_at,
                InventoryItem.size,
                InventoryCategory.name,
            )
            .join(InventoryItem, InventoryItem.id == ItemIssuance.item_id)
            .outerjoin(InventoryCategory, InventoryCategory.id == InventoryItem.category_id)
            .where(
                ItemIssuance.organization_id == self.organization_id,
                ItemIssuance.user_id == user_id,
                ItemIssuance.is_returned.is_(False),
            )
            .order_by(ItemIssuance.issued_at.desc(), ItemIssuance.id.desc())
            .limit(HOLDINGS_LIMIT)
        )
        return [IssuanceHeld(*row) for row in await self.session.execute(stmt)]
