"""Who holds what, in-process (spec inventory.md §6.7 #29, §6.8 #30): members-summary counts and
search, a member's own holdings and who else may read them, tenancy; the figure routes on SQLite.
"""

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from shared.models import (
    CheckoutRecord,
    ItemAssignment,
    ItemCondition,
    ItemIssuance,
    ItemStatus,
    MemberStatus,
    TrackingType,
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
    iso,
    person,
    pool,
)
from tests.api.inventory_support import BASE, hold, seed_category, seed_item, unique
from tests.support import factories
from tests.support.inprocess import InProcess


@pytest.fixture
def dept(department: Department) -> Department:
    return department


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
