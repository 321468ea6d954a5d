"""Editing, retiring and the history of items in-process (spec inventory.md §6.2 #8 to #11,
§4 transitions): held items refuse free status moves, retiring checks the holder tables."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from shared.models import CheckoutRecord, InventoryItem, ItemAssignment, ItemIssuance
from tests.api.department import Department
from tests.api.inventory_support import (
    ITEMS,
    audit_types,
    create_item,
    outbox_subjects,
    seed_category,
)
from tests.support import factories


@pytest.fixture
def dept(department: Department) -> Department:
    return department


def hold(dept: Department, item_id: str, kind: factories.Holder, **fields: Any) -> str:
    """A holder record of the item for a new member (the item row itself is left as it is)."""
    user_id, _ = dept.add_member("member", first_name="Pat", last_name="Holder")

    async def run(session: Any) -> str:
        item = await session.scalar(
            select(InventoryItem).where(InventoryItem.id == uuid.UUID(item_id))
        )
        row = await factories.item_holder(session, kind, item, uuid.UUID(user_id), **fields)
        return str(row.id)

    return dept.run(run)


class TestEdit:
    def test_absent_fields_stay_null_clears_and_null_for_kept_fields_is_422(
        self, dept: Department
    ) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            item = create_item(admin, description="Old", color="Red", purchase_price=10)
            edited = admin.patch(
                f"{ITEMS}/{item['id']}", json={"description": None, "purchase_price": "12.5"}
            )
            nulls = [
                admin.patch(f"{ITEMS}/{item['id']}", json={field: None}).status_code
                for field in ("name", "condition", "status", "tracking_type", "quantity")
            ]
            ignored = admin.patch(
                f"{ITEMS}/{item['id']}",
                json={"quantity_issued": 9, "assigned_to_user_id": str(uuid.uuid4())},
            )
        body = edited.json()
        assert edited.status_code == 200, edited.text
        assert (body["description"], body["color"]) == (None, "Red")
        # A new price without a current value moves the current value too.
        assert body["purchase_price"] == body["current_value"] == "12.50"
        assert nulls == [422] * 5
        assert (ignored.json()["quantity_issued"], ignored.json()["assigned_to_user_id"]) == (
            0,
            None,
        )
        assert audit_types(dept, item["id"]) == ["inventory_item_created", "inventory_item_updated"]
        assert outbox_subjects(dept, item["id"]) == [
            "logbook.api.inventory.item_created",
            "logbook.api.inventory.item_updated",
        ]

    def test_clearing_the_barcode_does_not_regenerate_it(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            item = create_item(admin)
            cleared = admin.patch(f"{ITEMS}/{item['id']}", json={"barcode": " "})
        assert cleared.json()["barcode"] is None

    def test_a_new_category_is_checked_against_the_merged_item(self, dept: Department) -> None:
        radios = seed_category(dept, name="Radios", requires_serial_number=True)
        foreign = seed_category(dept, dept.second_organization())
        with dept.signed_in(dept.admin_username) as admin:
            bare = create_item(admin)
            serial = create_item(admin, serial_number=uuid.uuid4().hex)
            refused = admin.patch(f"{ITEMS}/{bare['id']}", json={"category_id": radios})
            with_serial = admin.patch(
                f"{ITEMS}/{bare['id']}", json={"category_id": radios, "serial_number": "R-1x"}
            )
            moved = admin.patch(f"{ITEMS}/{serial['id']}", json={"category_id": radios})
            foreign_one = admin.patch(f"{ITEMS}/{bare['id']}", json={"category_id": foreign})
        assert refused.status_code == 400
        assert (with_serial.status_code, moved.status_code) == (200, 200)
        assert with_serial.json()["category_name"] == "Radios"
        assert (foreign_one.status_code, foreign_one.json()["detail"]) == (400, "Invalid category")

    def test_pool_quantity_is_set_directly_and_individual_stays_one(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            pool = create_item(admin, tracking_type="pool", quantity=5)
            single = create_item(admin)
            counted = admin.patch(f"{ITEMS}/{pool['id']}", json={"quantity": 0})
            one = admin.patch(f"{ITEMS}/{single['id']}", json={"quantity": 12})
        assert counted.json()["quantity"] == 0
        assert one.json()["quantity"] == 1

    def test_another_organizations_item_is_404(self, dept: Department) -> None:
        other = dept.second_organization()

        async def run(session: Any) -> str:
            return str((await factories.inventory_item(session, uuid.UUID(other))).id)

        foreign = dept.run(run)
        with dept.signed_in(dept.admin_username) as admin:
            answers = [
                admin.patch(f"{ITEMS}/{foreign}", json={"name": "x"}).status_code,
                admin.post(f"{ITEMS}/{foreign}/retire", json={}).status_code,
                admin.get(f"{ITEMS}/{foreign}/history").status_code,
            ]
        assert answers == [404, 404, 404]


class TestStatusTransitions:
    def test_free_statuses_move_freely_but_the_held_ones_only_through_the_flows(
        self, dept: Department
    ) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            item = create_item(admin)
            path = f"{ITEMS}/{item['id']}"
            moves = [
                admin.patch(path, json={"status": status}).status_code
                for status in ("in_maintenance", "lost", "stolen", "available")
            ]
            held = [
                admin.patch(path, json={"status": status}) for status in ("assigned", "checked_out")
            ]
            retired_condition = admin.patch(path, json={"condition": "retired"})
        assert moves == [200, 200, 200, 200]
        assert [answer.status_code for answer in held] == [409, 409]
        assert "assigned" in held[0].json()["detail"]
        assert retired_condition.status_code == 422

    @pytest.mark.parametrize(
        ("kind", "status"), [(ItemAssignment, "assigned"), (CheckoutRecord, "checked_out")]
    )
    def test_a_held_item_keeps_its_status_but_other_fields_change(
        self, dept: Department, kind: factories.Holder, status: str
    ) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            item = create_item(admin)
        hold(dept, item["id"], kind)
        dept.query(
            "UPDATE inventory_items SET status = %s WHERE id = %s",
            status,
            uuid.UUID(item["id"]).hex,
        )
        with dept.signed_in(dept.admin_username) as admin:
            path = f"{ITEMS}/{item['id']}"
            freed = admin.patch(path, json={"status": "available"})
            same = admin.patch(path, json={"status": status, "notes": "Strap replaced"})
            retyped = admin.patch(path, json={"tracking_type": "pool"})
        assert freed.status_code == 409
        assert status in freed.json()["detail"]
        assert same.status_code == 200  # the form sends the whole item back
        assert same.json()["notes"] == "Strap replaced"
        assert retyped.status_code == 409

    def test_patch_retires_and_restoring_needs_a_free_status_and_condition(
        self, dept: Department
    ) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            item = create_item(admin)
            path = f"{ITEMS}/{item['id']}"
            retired = admin.patch(path, json={"active": False})
            bare = admin.patch(path, json={"active": True})
            no_condition = admin.patch(path, json={"active": True, "status": "available"})
            held_status = admin.patch(
                path, json={"active": True, "status": "assigned", "condition": "good"}
            )
            restored = admin.patch(
                path, json={"active": True, "status": "in_maintenance", "condition": "fair"}
            )
        assert (retired.json()["status"], retired.json()["condition"]) == ("retired", "retired")
        assert retired.json()["active"] is False
        assert [bare.status_code, no_condition.status_code, held_status.status_code] == [422] * 3
        assert restored.status_code == 200, restored.text
        assert (restored.json()["status"], restored.json()["active"]) == ("in_maintenance", True)
        assert "inventory_item_retired" in audit_types(dept, item["id"])
        assert "logbook.api.inventory.item_retired" in outbox_subjects(dept, item["id"])


class TestRetire:
    def test_retire_sets_status_condition_notes_and_keeps_the_item_readable(
        self, dept: Department
    ) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            item = create_item(admin, serial_number=uuid.uuid4().hex)
            response = admin.post(f"{ITEMS}/{item['id']}/retire", json={"notes": "Cracked shell"})
            read = admin.get(f"{ITEMS}/{item['id']}").json()
            listed = admin.get(ITEMS).json()
        assert response.status_code == 200
        assert response.json() == {"message": "Item retired"}
        assert (read["status"], read["condition"], read["active"]) == ("retired", "retired", False)
        assert read["status_notes"] == "Cracked shell"
        assert read["serial_number"] == item["serial_number"]
        assert item["id"] not in [row["id"] for row in listed["items"]]
        assert audit_types(dept, item["id"])[-1] == "inventory_item_retired"
        assert outbox_subjects(dept, item["id"])[-1] == "logbook.api.inventory.item_retired"

    @pytest.mark.parametrize(
        ("kind", "fields", "words"),
        [
            (ItemAssignment, {}, "unassign"),
            (CheckoutRecord, {}, "check it in"),
            (ItemIssuance, {"quantity_issued": 3}, "3 unit"),
        ],
    )
    def test_a_held_item_is_not_retired(
        self, dept: Department, kind: factories.Holder, fields: dict[str, Any], words: str
    ) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            item = create_item(admin, tracking_type="pool", quantity=5)
        hold(dept, item["id"], kind, **fields)
        with dept.signed_in(dept.admin_username) as admin:
            retire = admin.post(f"{ITEMS}/{item['id']}/retire", json={})
            patch = admin.patch(f"{ITEMS}/{item['id']}", json={"status": "retired"})
            read = admin.get(f"{ITEMS}/{item['id']}").json()
        assert (retire.status_code, patch.status_code) == (409, 409)
        assert words in retire.json()["detail"]
        assert read["active"] is True


class TestHistory:
    def test_events_come_from_the_holder_tables_newest_first(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            item = create_item(admin)
        start = datetime(2026, 3, 1, 9, tzinfo=UTC)
        assignment = hold(
            dept,
            item["id"],
            ItemAssignment,
            assigned_date=start,
            is_active=False,
            returned_date=start + timedelta(days=2),
            return_condition="fair",
        )
        checkout = hold(
            dept,
            item["id"],
            CheckoutRecord,
            checked_out_at=start + timedelta(days=5),
            expected_return_at=start + timedelta(days=6),
            checkout_reason="Drill",
        )
        with dept.signed_in(dept.admin_username) as admin:
            history = admin.get(f"{ITEMS}/{item['id']}/history")
        events = history.json()["events"]
        assert history.status_code == 200
        assert [(e["type"], e["id"]) for e in events] == [
            ("checkout", checkout),
            ("return", f"{assignment}_return"),
            ("assignment", assignment),
        ]
        assert events[0]["date"] == "2026-03-06T09:00:00Z"
        assert events[0]["details"]["user_name"] == "Pat Holder"
        assert events[0]["details"]["is_overdue"] is True  # open and past due, derived live
        assert events[0]["details"]["reason"] == "Drill"
        assert events[1]["details"]["return_condition"] == "fair"
        assert "Pat Holder" in events[2]["summary"]

    def test_an_item_without_holders_has_no_events(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            item = create_item(admin)
            history = admin.get(f"{ITEMS}/{item['id']}/history")
        assert history.json() == {"events": []}


class TestModuleSwitch:
    def test_switched_off_the_routes_still_answer_as_for_other_served_modules(
        self, dept: Department
    ) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            off = admin.patch("/api/v1/organization/modules", json={"inventory": False})
            listed = admin.get(ITEMS)
            on = admin.patch("/api/v1/organization/modules", json={"inventory": True})
        assert off.status_code == 200
        assert "inventory" not in off.json()["enabled_modules"]
        assert listed.status_code == 200
        assert "inventory" in on.json()["enabled_modules"]
