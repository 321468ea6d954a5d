"""Inventory dashboard figures in-process (spec inventory.md §6.7 #26-#28): on-hand units, live
overdue, the admin view against a member's own, permissions and tenancy.

Holder rows are seeded with the factories, not through the flow endpoints, and each test has an
organization of its own, so every figure is exact.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from shared.models import (
    CheckoutRecord,
    ItemAssignment,
    ItemCondition,
    ItemIssuance,
    ItemStatus,
    ItemType,
)
from tests.api.department import Department
from tests.api.inventory_figures_support import (
    BY_LOCATION,
    LOW_STOCK,
    MANAGE,
    MEMBERS,
    NOW,
    SUMMARY,
    VIEW,
    get,
    location,
    person,
    pool,
)
from tests.api.inventory_support import hold, seed_category, seed_item, unique


@pytest.fixture
def dept(department: Department) -> Department:
    return department


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
