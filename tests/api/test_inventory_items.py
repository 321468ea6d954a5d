"""Inventory items in-process (spec inventory.md §6.2 #6 to #8, §4): creation rules, codes
unique per organization in any case, generated barcodes, the list, permissions and tenancy."""

import re
import uuid
from typing import Any

import pytest

from tests.api.department import Department
from tests.api.inventory_support import (
    ITEMS,
    audit_types,
    create_item,
    outbox_subjects,
    seed_area,
    seed_category,
    seed_item,
    unique,
)
from tests.support import factories

ITEM_FIELDS = {
    "id", "organization_id", "name", "category_id", "description", "notes", "status_notes",
    "manufacturer", "model_number", "purchase_order", "vendor", "storage_location",
    "serial_number", "asset_tag", "barcode", "purchase_date", "warranty_expiration",
    "purchase_price", "current_value", "replacement_cost", "vendor_id", "variant_group_id",
    "expected_lifetime_years", "reorder_point", "inspection_interval_days", "size", "color",
    "unit_of_measure", "standard_size", "style", "weight", "location_id", "storage_area_id",
    "station", "min_rank_order", "restricted_to_positions", "custom_fields", "attachments",
    "condition", "status", "tracking_type", "quantity", "quantity_issued",
    "assigned_to_user_id", "assigned_date", "last_inspection_date", "next_inspection_due",
    "active", "created_at", "updated_at", "created_by", "category_name", "assigned_to_name",
    "vendor_name", "lot_stock", "is_lot_stocked",
}  # fmt: skip
GENERATED = re.compile(r"^INV-\d{6,}$")


@pytest.fixture
def dept(department: Department) -> Department:
    return department


class TestCreate:
    def test_an_item_has_the_spec_shape_defaults_and_a_generated_barcode(
        self, dept: Department
    ) -> None:
        category = seed_category(dept, name="Helmets")
        with dept.signed_in(dept.admin_username) as admin:
            item = create_item(
                admin,
                category_id=category,
                purchase_price=125,
                purchase_date="2026-01-15",
                quantity=7,
                standard_size="10.5",
            )
        assert set(item) == ITEM_FIELDS
        assert (item["condition"], item["status"], item["tracking_type"]) == (
            "good",
            "available",
            "individual",
        )
        assert item["quantity"] == 1  # individual items are one unit whatever is sent
        assert item["purchase_price"] == item["current_value"] == "125.00"
        assert item["purchase_date"] == "2026-01-15"
        assert item["created_at"].endswith("Z")
        assert GENERATED.match(item["barcode"]), item["barcode"]
        assert item["category_name"] == "Helmets"
        assert (item["lot_stock"], item["is_lot_stocked"], item["vendor_name"]) == (
            None,
            False,
            None,
        )
        assert audit_types(dept, item["id"]) == ["inventory_item_created"]
        assert outbox_subjects(dept, item["id"]) == ["logbook.api.inventory.item_created"]

    def test_custom_fields_nested_deeper_than_a_json_column_takes_are_refused(
        self, dept: Department
    ) -> None:
        def nested(depth: int) -> dict[str, Any]:
            document: dict[str, Any] = {"leaf": True}
            for _ in range(depth - 1):
                document = {"next": document}
            return document

        with dept.signed_in(dept.admin_username) as admin:
            kept = create_item(admin, custom_fields=nested(20))
            deep = admin.post(ITEMS, json={"name": "Deep", "custom_fields": nested(40)})
            edit = admin.patch(f"{ITEMS}/{kept['id']}", json={"custom_fields": nested(40)})
        assert kept["custom_fields"] == nested(20)
        for refused in (deep, edit):  # MariaDB's JSON check made these a 503
            assert (refused.status_code, refused.json()["detail"]) == (400, "Malformed JSON body")

    def test_generated_barcodes_follow_the_counter_and_skip_taken_numbers(
        self, dept: Department
    ) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            first = create_item(admin)["barcode"]
            # Entered by hand: the next two numbers the counter would give.
            create_item(admin, barcode="inv-000002")
            create_item(admin, barcode="INV-000003")
            following = create_item(admin, barcode="  ")["barcode"]
            last = create_item(admin)["barcode"]
        assert first == "INV-000001"  # a new organization's counter starts at 1
        assert (following, last) == ("INV-000004", "INV-000005")

    def test_blank_codes_are_null_and_codes_are_trimmed(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            item = create_item(admin, serial_number="   ", asset_tag="", barcode=" B-1 ")
        assert (item["serial_number"], item["asset_tag"], item["barcode"]) == (None, None, "B-1")

    def test_a_pool_keeps_its_quantity_and_needs_one_unit(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            pool = create_item(admin, tracking_type="pool", quantity=40)
            empty = admin.post(
                ITEMS, json={"name": "Gloves", "tracking_type": "pool", "quantity": 0}
            )
        assert (pool["quantity"], pool["quantity_issued"]) == (40, 0)
        assert empty.status_code == 400

    def test_category_requirements_are_400_naming_category_and_field(
        self, dept: Department
    ) -> None:
        serial = seed_category(dept, name="Radios", requires_serial_number=True)
        inspected = seed_category(dept, name="SCBA", requires_maintenance=True)
        with dept.signed_in(dept.admin_username) as admin:
            no_serial = admin.post(ITEMS, json={"name": "Radio", "category_id": serial})
            no_interval = admin.post(ITEMS, json={"name": "Pack", "category_id": inspected})
            fine = admin.post(
                ITEMS,
                json={"name": "Pack", "category_id": inspected, "inspection_interval_days": 30},
            )
        assert no_serial.status_code == no_interval.status_code == 400
        assert "Radios" in no_serial.json()["detail"]
        assert "serial_number" in no_serial.json()["detail"]
        assert "inspection_interval_days" in no_interval.json()["detail"]
        assert fine.status_code == 201

    def test_ids_of_another_organization_or_later_tables_are_400(self, dept: Department) -> None:
        other = dept.second_organization()
        foreign_category = seed_category(dept, other)
        foreign_area = seed_area(dept, other)

        async def foreign_room(session: Any) -> str:
            return str((await factories.location(session, uuid.UUID(other))).id)

        room = dept.run(foreign_room)
        bodies = {
            "Invalid category": {"category_id": foreign_category},
            "Invalid storage area": {"storage_area_id": foreign_area},
            "Invalid location": {"location_id": room},
            "Invalid vendor": {"vendor_id": foreign_category},
            "Invalid variant group": {"variant_group_id": foreign_category},
        }
        with dept.signed_in(dept.admin_username) as admin:
            answers = {
                detail: admin.post(ITEMS, json={"name": "Axe", **body})
                for detail, body in bodies.items()
            }
        for detail, answer in answers.items():
            assert (answer.status_code, answer.json()["detail"]) == (400, detail)

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"name": ""},
            {"name": "x" * 256},
            {"name": "Axe", "quantity": -1},
            {"name": "Axe", "purchase_price": -0.01},
            {"name": "Axe", "purchase_price": 100_000_000},
            {"name": "Axe", "status": "assigned"},
            {"name": "Axe", "status": "retired"},
            {"name": "Axe", "condition": "retired"},
            {"name": "Axe", "condition": "shiny"},
            {"name": "Axe", "notes": "x" * 2001},
            {"name": "Axe", "size": "x" * 51},
            {"name": "Axe", "standard_size": "huge"},
            {"name": "Axe", "barcode": "x" * 256},
            {"name": "Axe", "weight": -1},
        ],
    )
    def test_out_of_bounds_bodies_are_422(self, dept: Department, body: dict[str, Any]) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.post(ITEMS, json=body)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "LB-VAL-001"


class TestCodesAreUnique:
    @pytest.mark.parametrize("field", ["barcode", "serial_number", "asset_tag"])
    def test_a_clash_in_any_case_is_409_naming_field_and_value(
        self, dept: Department, field: str
    ) -> None:
        code = unique("Code")
        with dept.signed_in(dept.admin_username) as admin:
            create_item(admin, **{field: code})
            clash = admin.post(ITEMS, json={"name": "Other", field: code.lower()})
            other = create_item(admin)
            patched = admin.patch(f"{ITEMS}/{other['id']}", json={field: code.upper()})
        for answer, value in ((clash, code.lower()), (patched, code.upper())):
            assert (answer.status_code, answer.json()["code"]) == (409, "LB-API-409")
            assert field in answer.json()["detail"]
            assert value in answer.json()["detail"]

    def test_retired_items_keep_their_codes_and_other_organizations_may_reuse_them(
        self, dept: Department
    ) -> None:
        code = unique("SN")
        seed_item(dept, serial_number=code, active=False, status="retired", condition="retired")
        seed_item(dept, dept.second_organization(), serial_number=code)
        with dept.signed_in(dept.admin_username) as admin:
            clash = admin.post(ITEMS, json={"name": "Radio", "serial_number": code})
        assert clash.status_code == 409

    def test_any_number_of_items_have_no_serial(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            first, second = create_item(admin), create_item(admin)
        assert first["serial_number"] is None
        assert second["serial_number"] is None


class TestList:
    def test_a_listed_item_is_its_detail_without_the_holder_s_name(self, dept: Department) -> None:
        tag = unique("shape")
        category = seed_category(dept, name=f"Radios {tag}")
        with dept.signed_in(dept.admin_username) as admin:
            item = create_item(
                admin,
                name=f"Radio {tag}",
                category_id=category,
                purchase_price="1234.5",
                purchase_date="2025-03-04",
                custom_fields={"channel": 7},
                restricted_to_positions=["captain"],
                weight=1.25,
            )
            holder, _ = dept.add_member()
            assigned = admin.post(f"{ITEMS}/{item['id']}/assign", json={"user_id": holder})
            assert assigned.status_code == 200, assigned.text
            detail = admin.get(f"{ITEMS}/{item['id']}").json()
            listed = admin.get(ITEMS, params={"search": tag}).json()["items"]
        assert detail["assigned_to_name"] is not None
        assert listed == [{**detail, "assigned_to_name": None}]

    def test_filters_search_sorting_and_paging(self, dept: Department) -> None:
        tag = unique("t")
        tools = seed_category(dept, item_type="tool")
        medical = seed_category(dept, item_type="medical")
        seed_item(dept, name=f"Axe {tag}", category_id=tools, color="Red", purchase_price=30)
        seed_item(dept, name=f"Bar {tag}", status="lost", size="XL", purchase_price=10)
        seed_item(dept, name=f"Cot {tag}", category_id=medical)
        seed_item(dept, name=f"Dog {tag}", active=False, status="retired", condition="retired")
        seed_item(dept, name="100%_match")
        seed_item(dept, name="Hose", model_number=f"M-{tag}", size="l")

        def names(**params: Any) -> list[str]:
            with dept.signed_in(dept.admin_username) as admin:
                response = admin.get(ITEMS, params={"search": tag, **params})
            assert response.status_code == 200, response.text
            return [item["name"] for item in response.json()["items"]]

        # Medical and retired items left out; the model number is searched too.
        assert names() == [f"Axe {tag}", f"Bar {tag}", "Hose"]
        assert names(active_only="false") == [f"Axe {tag}", f"Bar {tag}", f"Dog {tag}", "Hose"]
        assert names(item_type="tool") == names(category_id=tools) == [f"Axe {tag}"]
        assert names(status="lost") == names(size="xl") == [f"Bar {tag}"]
        assert names(size="L") == ["Hose"]  # the free-text size; no standard size is l here
        assert names(size="extra tall") == []
        assert names(color="RED") == [f"Axe {tag}"]
        assert names(sort_by="purchase_price", sort_order="desc") == [
            f"Axe {tag}",
            f"Bar {tag}",
            "Hose",
        ]
        assert names(sort_by="nonsense", sort_order="desc") == ["Hose", f"Bar {tag}", f"Axe {tag}"]
        with dept.signed_in(dept.admin_username) as admin:
            page = admin.get(ITEMS, params={"search": tag, "limit": 1, "skip": 1}).json()
            past_the_end = admin.get(ITEMS, params={"search": tag, "skip": 5}).json()
            wildcard = admin.get(ITEMS, params={"search": "0%_m"}).json()
            literal = admin.get(ITEMS, params={"search": "1%0"}).json()
            bad = [
                admin.get(ITEMS, params=params).status_code
                for params in ({"status": "x"}, {"sort_order": "up"}, {"limit": 501})
            ]
        assert (page["total"], page["skip"], page["limit"]) == (3, 1, 1)
        assert [i["name"] for i in page["items"]] == [f"Bar {tag}"]
        assert (past_the_end["items"], past_the_end["total"]) == ([], 3)
        assert [i["name"] for i in wildcard["items"]] == ["100%_match"]
        assert literal["total"] == 0  # % matches itself, not "anything"
        assert bad == [422, 422, 422]

    def test_an_item_of_another_organization_is_404_and_never_listed(
        self, dept: Department
    ) -> None:
        foreign = seed_item(dept, dept.second_organization(), name=unique("Foreign"))
        with dept.signed_in(dept.admin_username) as admin:
            read = admin.get(f"{ITEMS}/{foreign}")
            listed = admin.get(ITEMS, params={"limit": 500}).json()
            malformed = admin.get(f"{ITEMS}/42")
        assert read.status_code == 404
        assert foreign not in [item["id"] for item in listed["items"]]
        assert malformed.status_code == 422


class TestAccess:
    def test_view_reads_manage_writes(self, dept: Department) -> None:
        role = dept.add_role(["inventory.manage"])
        manager_id, manager = dept.add_member()
        dept.assign(manager_id, role)
        _, viewer = dept.add_member("member")  # the member role holds inventory.view
        item = seed_item(dept)
        with dept.signed_in(viewer) as client:
            viewer_answers = [
                client.get(ITEMS).status_code,
                client.get(f"{ITEMS}/{item}").status_code,
                client.post(ITEMS, json={"name": "Axe"}).status_code,
                client.patch(f"{ITEMS}/{item}", json={"name": "Axe"}).status_code,
                client.post(f"{ITEMS}/{item}/retire", json={}).status_code,
            ]
        with dept.signed_in(manager) as client:
            manager_answers = [
                client.get(ITEMS).status_code,
                client.get(f"{ITEMS}/{item}/history").status_code,
                client.post(ITEMS, json={"name": "Axe"}).status_code,
                client.patch(f"{ITEMS}/{item}", json={"name": "Axe"}).status_code,
            ]
        assert viewer_answers == [200, 200, 403, 403, 403]
        assert manager_answers == [403, 403, 201, 200]
