"""Inventory dashboard figures and members' holdings in-process (spec inventory.md §6.7 #26-#29,
§6.8 #30): on-hand units, live overdue, admin versus own view, permissions and tenancy.

Holder rows are seeded with the factories, not through the flow endpoints, and each test has an
organization of its own, so every figure is exact.
"""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models import (
    CheckoutRecord,
    InventoryItem,
    ItemAssignment,
    ItemCondition,
    ItemIssuance,
    ItemStatus,
    ItemType,
    MemberStatus,
    TrackingType,
)
from tests.api.department import Department
from tests.api.inventory_support import BASE, org_id, seed_category, seed_item, unique
from tests.support import factories
from tests.support.inprocess import InProcess

SUMMARY = f"{BASE}/summary"
BY_LOCATION = f"{BASE}/summary/by-location"
LOW_STOCK = f"{BASE}/low-stock"
MEMBERS = f"{BASE}/members-summary"
VIEW = "inventory.view"
MANAGE = "inventory.manage"
NOW = datetime.now(UTC).replace(microsecond=0)
Holder = type[ItemAssignment] | type[CheckoutRecord] | type[ItemIssuance]


@pytest.fixture
def dept(department: Department) -> Department:
    return department


def person(
    dept: Department, *permissions: str, organization_id: str | None = None, **fields: Any
) -> tuple[str, str]:
    """A member holding exactly `permissions` (none: a plain member); (id, username)."""

    async def run(session: AsyncSession) -> tuple[str, str]:
        found = await factories.member(session, org_id(dept, organization_id), **fields)
        return str(found.id), found.username

    user_id, username = dept.run(run)
    if permissions:
        dept.assign(user_id, dept.add_role(list(permissions), organization_id=organization_id))
    return user_id, username


def hold(dept: Department, kind: Holder, item_id: str, user_id: str, **fields: Any) -> str:
    """An assignment, checkout or issuance of the item to the member; its id."""

    async def run(session: AsyncSession) -> str:
        item = await session.get(InventoryItem, uuid.UUID(item_id))
        assert item is not None
        row = await factories.item_holder(session, kind, item, uuid.UUID(user_id), **fields)
        return str(row.id)

    return dept.run(run)


def location(dept: Department, name: str, organization_id: str | None = None) -> str:
    async def run(session: AsyncSession) -> str:
        found = await factories.location(session, org_id(dept, organization_id), name=name)
        return str(found.id)

    return dept.run(run)


def get(dept: Department, username: str, path: str, **params: Any) -> Any:
    with dept.signed_in(username) as client:
        response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def pool(dept: Department, on_hand: int, **fields: Any) -> str:
    return seed_item(dept, tracking_type=TrackingType.POOL, quantity=on_hand, **fields)


class TestSummary:
    def seed(self, dept: Department, holder: str, other: str) -> dict[str, str]:
        """Items of every kind; the holder has one assignment, one late checkout, issued units."""
        due = NOW.date()
        items = {
            "plain": seed_item(dept, current_value=Decimal("100.00")),
            "assigned": seed_item(
                dept,
                status=ItemStatus.ASSIGNED,
                condition=ItemCondition.FAIR,
                current_value=Decimal("50.00"),
                next_inspection_due=due + timedelta(days=7),
            ),
            "gloves": pool(dept, 7, quantity_issued=3, current_value=Decimal("2.50")),
            "late": seed_item(dept, status=ItemStatus.CHECKED_OUT, current_value=Decimal("10")),
            "lent": seed_item(dept, status=ItemStatus.CHECKED_OUT),
            "repairs": seed_item(
                dept, status=ItemStatus.IN_MAINTENANCE, condition=ItemCondition.POOR
            ),
            "soon": seed_item(dept, next_inspection_due=due + timedelta(days=8)),
            "retired": seed_item(
                dept,
                status=ItemStatus.RETIRED,
                condition=ItemCondition.RETIRED,
                active=False,
                current_value=Decimal("999"),
                next_inspection_due=due,
            ),
        }
        hold(dept, ItemAssignment, items["assigned"], holder)
        hold(dept, ItemIssuance, items["gloves"], holder, quantity_issued=3)
        hold(
            dept, CheckoutRecord, items["late"], holder, expected_return_at=NOW - timedelta(hours=1)
        )
        # The stored flag says overdue, the due time says not: the live rule wins.
        hold(
            dept,
            CheckoutRecord,
            items["lent"],
            other,
            expected_return_at=NOW + timedelta(days=1),
            is_overdue=True,
        )
        # A returned loan, long past its due time, counts nowhere.
        hold(
            dept,
            CheckoutRecord,
            items["plain"],
            holder,
            expected_return_at=NOW - timedelta(days=30),
            is_returned=True,
            checked_in_at=NOW - timedelta(days=29),
        )
        return items

    def test_managers_see_on_hand_units_of_the_whole_organization(self, dept: Department) -> None:
        holder, _ = person(dept, VIEW)
        other, _ = person(dept, VIEW)
        self.seed(dept, holder, other)
        foreign = dept.second_organization()
        seed_item(dept, organization_id=foreign, current_value=Decimal("5000"))
        _, manager = person(dept, VIEW, MANAGE)
        assert get(dept, manager, SUMMARY) == {
            # 6 individual items and 7 gloves on hand; the 3 issued and the retired item are not.
            "total_items": 13,
            "items_by_status": {
                "available": 3,
                "assigned": 1,
                "checked_out": 2,
                "in_maintenance": 1,
            },
            "items_by_condition": {"good": 5, "fair": 1, "poor": 1},
            "total_value": 177.5,  # 100 + 50 + 7 x 2.50 + 10
            "active_checkouts": 2,
            "overdue_checkouts": 1,
            "maintenance_due_count": 2,  # due within 7 days, or in maintenance
        }

    def test_settings_managers_see_the_organization_too(self, dept: Department) -> None:
        holder, _ = person(dept, VIEW)
        self.seed(dept, holder, holder)
        _, settings_manager = person(dept, VIEW, "settings.manage")
        figures = get(dept, settings_manager, SUMMARY)
        assert (figures["total_items"], figures["active_checkouts"]) == (13, 2)

    def test_members_see_only_what_they_hold_by_assignment_or_checkout(
        self, dept: Department
    ) -> None:
        holder, holder_name = person(dept, VIEW)
        other, _ = person(dept, VIEW)
        self.seed(dept, holder, other)
        assert get(dept, holder_name, SUMMARY) == {
            "total_items": 2,  # issued gloves are not counted
            "items_by_status": {"assigned": 1, "checked_out": 1},
            "items_by_condition": {"fair": 1, "good": 1},
            "total_value": 60.0,
            "active_checkouts": 1,
            "overdue_checkouts": 1,
            "maintenance_due_count": 1,
        }

    def test_a_member_holding_nothing_gets_zeros_and_empty_maps(self, dept: Department) -> None:
        holder, _ = person(dept, VIEW)
        self.seed(dept, holder, holder)
        _, bystander = person(dept, VIEW)
        assert get(dept, bystander, SUMMARY) == {
            "total_items": 0,
            "items_by_status": {},
            "items_by_condition": {},
            "total_value": 0.0,
            "active_checkouts": 0,
            "overdue_checkouts": 0,
            "maintenance_due_count": 0,
        }

    def test_view_is_required_and_manage_does_not_imply_it(self, dept: Department) -> None:
        _, plain = person(dept)
        _, manager_only = person(dept, MANAGE)
        for username in (plain, manager_only):
            with dept.signed_in(username) as client:
                for path in (SUMMARY, BY_LOCATION, LOW_STOCK, MEMBERS):
                    response = client.get(path)
                    assert response.status_code == 403, path
                    assert response.json()["code"] == "LB-PERM-001"


class TestByLocation:
    def test_locations_by_item_count_then_the_unassigned_row(self, dept: Department) -> None:
        hall, bay, attic = (location(dept, unique(name)) for name in ("Hall", "Bay", "Attic"))
        seed_item(dept, location_id=hall, current_value=Decimal("20"))
        seed_item(dept, location_id=hall)
        seed_item(dept, location_id=bay, current_value=Decimal("1.25"))
        pool(dept, 5, location_id=bay, quantity_issued=4, current_value=Decimal("3"))
        seed_item(dept, location_id=bay)
        seed_item(dept, location_id=attic, active=False, status=ItemStatus.RETIRED)
        seed_item(dept, current_value=Decimal("7"))
        foreign = dept.second_organization()
        seed_item(dept, organization_id=foreign, location_id=location(dept, "X", foreign))
        _, manager = person(dept, VIEW, MANAGE)
        names = {hall: get_name(dept, hall), bay: get_name(dept, bay)}
        assert get(dept, manager, BY_LOCATION) == [
            {
                "location_id": bay,
                "location_name": names[bay],
                "item_count": 3,
                "total_quantity": 7,
                "total_value": 16.25,
            },
            {
                "location_id": hall,
                "location_name": names[hall],
                "item_count": 2,
                "total_quantity": 2,
                "total_value": 20.0,
            },
            {
                "location_id": None,
                "location_name": "Unassigned",
                "item_count": 1,
                "total_quantity": 1,
                "total_value": 7.0,
            },
        ]

    def test_no_unassigned_row_when_every_item_has_a_place(self, dept: Department) -> None:
        hall = location(dept, unique("Hall"))
        seed_item(dept, location_id=hall)
        _, manager = person(dept, VIEW, MANAGE)
        rows = get(dept, manager, BY_LOCATION)
        assert [row["location_id"] for row in rows] == [hall]

    def test_members_get_an_empty_list(self, dept: Department) -> None:
        seed_item(dept, location_id=location(dept, unique("Hall")))
        _, viewer = person(dept, VIEW)
        assert get(dept, viewer, BY_LOCATION) == []


def get_name(dept: Department, location_id: str) -> str:
    rows = dept.query("SELECT name FROM locations WHERE id = %s", uuid.UUID(location_id).hex)
    return str(rows[0]["name"])


class TestLowStock:
    def test_categories_at_or_below_their_threshold_with_the_five_emptiest_items(
        self, dept: Department
    ) -> None:
        low = seed_category(dept, name="Gloves", low_stock_threshold=20)
        for quantity, name in ((3, "d"), (0, "a"), (2, "c"), (1, "b"), (4, "e"), (9, "f")):
            pool(dept, quantity, category_id=low, name=f"Glove {name}")
        seed_item(dept, category_id=low, active=False, quantity=1)  # retired: not stock
        exact = seed_category(dept, name="Boots", item_type=ItemType.PPE, low_stock_threshold=2)
        pool(dept, 1, category_id=exact, name="Boot 9", quantity_issued=5)
        seed_item(dept, category_id=exact, name="Boot 10")
        plenty = seed_category(dept, low_stock_threshold=1)
        pool(dept, 2, category_id=plenty)
        seed_category(dept, low_stock_threshold=5)  # no items: never alerts
        unlimited = seed_category(dept)
        pool(dept, 0, category_id=unlimited)
        inactive = seed_category(dept, low_stock_threshold=5, active=False)
        pool(dept, 0, category_id=inactive)
        only_retired = seed_category(dept, low_stock_threshold=5)
        seed_item(dept, category_id=only_retired, active=False)
        foreign = dept.second_organization()
        pool(
            dept,
            0,
            organization_id=foreign,
            category_id=seed_category(dept, foreign, low_stock_threshold=5),
        )
        _, manager = person(dept, VIEW, MANAGE)
        assert get(dept, manager, LOW_STOCK) == [
            {
                "category_id": exact,
                "category_name": "Boots",
                "item_type": "ppe",
                "current_stock": 2,
                "threshold": 2,
                "items": [{"name": "Boot 10", "quantity": 1}, {"name": "Boot 9", "quantity": 1}],
            },
            {
                "category_id": low,
                "category_name": "Gloves",
                "item_type": "equipment",
                "current_stock": 19,
                "threshold": 20,
                "items": [
                    {"name": f"Glove {name}", "quantity": quantity}
                    for quantity, name in enumerate("abcde")
                ],
            },
        ]

    def test_members_get_an_empty_list(self, dept: Department) -> None:
        pool(dept, 0, category_id=seed_category(dept, low_stock_threshold=5))
        _, viewer = person(dept, VIEW)
        assert get(dept, viewer, LOW_STOCK) == []


class TestMembersSummary:
    def test_active_members_with_their_counts_by_last_then_first_name(
        self, dept: Department
    ) -> None:
        tag = uuid.uuid4().hex[:6]
        holder, holder_name = person(
            dept, first_name="Ann", last_name=f"Zz{tag}", membership_number=f"N-{tag}"
        )
        first, _ = person(dept, first_name="Bob", last_name=f"Aa{tag}")
        second, _ = person(dept, first_name="Al", last_name=f"Zz{tag}")
        away, _ = person(dept, status=MemberStatus.SUSPENDED, last_name=f"Zz{tag}x")
        helmet, radio, spare = seed_item(dept), seed_item(dept), seed_item(dept)
        hold(dept, ItemAssignment, helmet, holder)
        hold(dept, ItemAssignment, spare, holder, is_active=False, returned_date=NOW)
        hold(dept, CheckoutRecord, radio, holder, expected_return_at=NOW - timedelta(minutes=5))
        hold(dept, CheckoutRecord, spare, holder, expected_return_at=NOW + timedelta(days=2))
        gloves = pool(dept, 10)
        hold(dept, ItemIssuance, gloves, holder, quantity_issued=3)
        hold(dept, ItemIssuance, gloves, holder, quantity_issued=2)
        hold(dept, ItemIssuance, gloves, holder, quantity_issued=4, is_returned=True)
        hold(dept, ItemAssignment, radio, away)
        _, viewer = person(dept, VIEW)
        summary = get(dept, viewer, MEMBERS, search=tag)
        assert [row["user_id"] for row in summary["members"]] == [first, second, holder]
        assert summary["total"] == 3
        assert summary["members"][2] == {
            "user_id": holder,
            "username": holder_name,
            "first_name": "Ann",
            "last_name": f"Zz{tag}",
            "full_name": f"Ann Zz{tag}",
            "membership_number": f"N-{tag}",
            "permanent_count": 1,
            "checkout_count": 2,
            "issued_count": 5,
            "overdue_count": 1,
            "total_items": 8,
        }
        assert summary["members"][0]["total_items"] == 0
        everyone = get(dept, viewer, MEMBERS)
        ids = {row["user_id"] for row in everyone["members"]}
        assert {first, second, holder} <= ids
        assert away not in ids
        assert everyone["total"] == len(everyone["members"])

    def test_search_matches_any_name_field_in_any_case_and_literally(
        self, dept: Department
    ) -> None:
        tag = uuid.uuid4().hex[:8]
        by_username, _ = person(dept, username=f"u{tag}x")
        by_first, _ = person(dept, first_name=f"F{tag}")
        by_last, _ = person(dept, last_name=f"L{tag}")
        by_number, _ = person(dept, membership_number=f"#{tag}")
        _, viewer = person(dept, VIEW)
        found = get(dept, viewer, MEMBERS, search=tag.upper())
        assert {row["user_id"] for row in found["members"]} == {
            by_username,
            by_first,
            by_last,
            by_number,
        }
        assert get(dept, viewer, MEMBERS, search=f"f{tag}")["total"] == 1
        assert get(dept, viewer, MEMBERS, search=f"{tag[:3]}%{tag[4:]}")["total"] == 0
        assert get(dept, viewer, MEMBERS, search="_" * 8)["total"] == 0

    def test_other_organizations_members_are_not_listed(self, dept: Department) -> None:
        tag = uuid.uuid4().hex[:8]
        foreign = dept.second_organization()
        person(dept, organization_id=foreign, last_name=f"L{tag}")
        _, viewer = person(dept, VIEW)
        assert get(dept, viewer, MEMBERS, search=tag) == {"members": [], "total": 0}

    def test_a_search_too_long_is_422(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.get(MEMBERS, params={"search": "x" * 101})
        assert response.status_code == 422


class TestMemberInventory:
    def path(self, user_id: str) -> str:
        return f"{BASE}/users/{user_id}/inventory"

    def test_a_member_reads_their_own_holdings_newest_first(self, dept: Department) -> None:
        member, username = person(dept)
        category = seed_category(dept, name="Helmets")
        serial = unique("S")
        old_helmet = seed_item(dept, name="Helmet A", category_id=category, serial_number=serial)
        new_helmet = seed_item(
            dept, name="Helmet B", asset_tag="AT-1", condition=ItemCondition.FAIR
        )
        first = hold(
            dept, ItemAssignment, old_helmet, member, assigned_date=NOW - timedelta(days=3)
        )
        second = hold(dept, ItemAssignment, new_helmet, member, assigned_date=NOW)
        hold(dept, ItemAssignment, seed_item(dept), member, is_active=False, returned_date=NOW)
        radio, light = seed_item(dept, name="Radio"), seed_item(dept, name="Light")
        late = hold(
            dept,
            CheckoutRecord,
            radio,
            member,
            checked_out_at=NOW - timedelta(days=2),
            expected_return_at=NOW - timedelta(days=1),
        )
        lent = hold(
            dept,
            CheckoutRecord,
            light,
            member,
            checked_out_at=NOW - timedelta(hours=1),
            expected_return_at=None,
            is_overdue=True,
        )
        hold(dept, CheckoutRecord, seed_item(dept), member, is_returned=True, checked_in_at=NOW)
        gloves = pool(dept, 8, name="Gloves", size="L", category_id=category)
        issued = hold(
            dept, ItemIssuance, gloves, member, quantity_issued=2, issued_at=NOW - timedelta(days=1)
        )
        hold(dept, ItemIssuance, gloves, member, is_returned=True)
        hold(dept, ItemAssignment, seed_item(dept), person(dept)[0])  # someone else's
        assert get(dept, username, self.path(member)) == {
            "permanent_assignments": [
                {
                    "assignment_id": second,
                    "item_id": new_helmet,
                    "item_name": "Helmet B",
                    "serial_number": None,
                    "asset_tag": "AT-1",
                    "condition": "fair",
                    "assigned_date": iso(NOW),
                    "category_name": None,
                    "quantity": 1,
                },
                {
                    "assignment_id": first,
                    "item_id": old_helmet,
                    "item_name": "Helmet A",
                    "serial_number": serial,
                    "asset_tag": None,
                    "condition": "good",
                    "assigned_date": iso(NOW - timedelta(days=3)),
                    "category_name": "Helmets",
                    "quantity": 1,
                },
            ],
            "active_checkouts": [
                {
                    "checkout_id": lent,
                    "item_id": light,
                    "item_name": "Light",
                    "checked_out_at": iso(NOW - timedelta(hours=1)),
                    "expected_return_at": None,
                    "is_overdue": False,  # no due time: never late, whatever the stored flag
                },
                {
                    "checkout_id": late,
                    "item_id": radio,
                    "item_name": "Radio",
                    "checked_out_at": iso(NOW - timedelta(days=2)),
                    "expected_return_at": iso(NOW - timedelta(days=1)),
                    "is_overdue": True,
                },
            ],
            "issued_items": [
                {
                    "issuance_id": issued,
                    "item_id": gloves,
                    "item_name": "Gloves",
                    "quantity_issued": 2,
                    "issued_at": iso(NOW - timedelta(days=1)),
                    "size": "L",
                    "category_name": "Helmets",
                }
            ],
        }

    def test_another_members_holdings_need_inventory_view(self, dept: Department) -> None:
        member, _ = person(dept)
        hold(dept, ItemAssignment, seed_item(dept), member)
        _, plain = person(dept)
        _, manager_only = person(dept, MANAGE)
        _, viewer = person(dept, VIEW)
        for username in (plain, manager_only):
            with dept.signed_in(username) as client:
                refused = client.get(self.path(member))
            assert (refused.status_code, refused.json()["code"]) == (403, "LB-PERM-001")
        assert len(get(dept, viewer, self.path(member))["permanent_assignments"]) == 1

    def test_unknown_and_foreign_members_hold_nothing(self, dept: Department) -> None:
        foreign = dept.second_organization()
        stranger, _ = person(dept, organization_id=foreign)
        hold(dept, ItemAssignment, seed_item(dept, organization_id=foreign), stranger)
        _, viewer = person(dept, VIEW)
        empty: dict[str, list[Any]] = {
            "permanent_assignments": [],
            "active_checkouts": [],
            "issued_items": [],
        }
        assert get(dept, viewer, self.path(stranger)) == empty
        assert get(dept, viewer, self.path(str(uuid.uuid4()))) == empty

    def test_a_malformed_id_is_422(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            assert admin.get(self.path("not-a-uuid")).status_code == 422


@pytest.mark.parametrize("database_kind", ["sqlite"])
async def test_the_figures_run_on_the_embedded_sqlite_database(inprocess: InProcess) -> None:
    organization_id, admin = await inprocess.department()
    holder, _ = await inprocess.member(organization_id, last_name=f"Lite{uuid.uuid4().hex[:6]}")
    async with inprocess.seed() as session:
        category = await factories.inventory_category(
            session, organization_id, low_stock_threshold=5
        )
        gloves = await factories.inventory_item(
            session,
            organization_id,
            category_id=category.id,
            tracking_type=TrackingType.POOL,
            quantity=2,
            current_value=Decimal("1.50"),
        )
        radio = await factories.inventory_item(
            session, organization_id, status=ItemStatus.CHECKED_OUT
        )
        await factories.item_holder(session, ItemIssuance, gloves, holder.id, quantity_issued=1)
        await factories.item_holder(
            session, CheckoutRecord, radio, holder.id, expected_return_at=NOW - timedelta(hours=1)
        )

    async def read(path: str, **params: str) -> Any:
        response = await inprocess.api.get(path, headers=admin, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    summary = await read(SUMMARY)
    assert (summary["total_items"], summary["total_value"], summary["overdue_checkouts"]) == (
        3,
        3.0,
        1,
    )
    assert [row["location_name"] for row in await read(BY_LOCATION)] == ["Unassigned"]
    (low,) = await read(LOW_STOCK)
    assert (low["current_stock"], low["items"]) == (2, [{"name": gloves.name, "quantity": 2}])
    (row,) = (await read(MEMBERS, search=holder.last_name or ""))["members"]
    assert (row["issued_count"], row["checkout_count"], row["overdue_count"]) == (1, 1, 1)
    assert (await read(MEMBERS, search="lite%"))["total"] == 0
    held = await read(f"{BASE}/users/{holder.id}/inventory")
    assert [item["is_overdue"] for item in held["active_checkouts"]] == [True]
    assert [item["quantity_issued"] for item in held["issued_items"]] == [1]
