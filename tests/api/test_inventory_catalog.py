"""The scan look-up and the storage areas in-process (spec inventory.md §6.6 #23, §6.9 #31)."""

import uuid
from typing import Any

import pytest

from shared.models import InventoryItem
from tests.api.department import Department
from tests.api.inventory_support import (
    AREAS,
    BASE,
    ITEMS,
    LOOKUP,
    create_item,
    seed_area,
    seed_item,
    unique,
)
from tests.support import factories


@pytest.fixture
def dept(department: Department) -> Department:
    return department


class TestLookup:
    def test_exact_matches_come_first_then_by_field_priority(self, dept: Department) -> None:
        code = uuid.uuid4().hex[:6]
        by_name = seed_item(dept, name=f"Hose {code}")
        by_barcode = seed_item(dept, name="Radio", barcode=f"SCAN-{code}")
        exact_serial = seed_item(dept, name="Pack", serial_number=code.upper())
        by_color = seed_item(dept, name="Coat", color=f"{code}-blue")
        seed_item(dept, name="Old", barcode=code, active=False, status="retired")
        seed_item(dept, dept.second_organization(), name="Foreign", barcode=code)
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.get(LOOKUP, params={"code": f"  {code} "})
            first = admin.get(LOOKUP, params={"code": code, "limit": 1}).json()
        body = response.json()
        assert response.status_code == 200
        assert [(hit["item"]["id"], hit["matched_field"]) for hit in body["results"]] == [
            (exact_serial, "serial_number"),
            (by_barcode, "barcode"),
            (by_name, "name"),
            (by_color, "color"),
        ]
        assert body["results"][1]["matched_value"] == f"SCAN-{code}"
        assert body["total"] == 4
        assert (len(first["results"]), first["total"]) == (1, 4)
        assert first["results"][0]["item"]["id"] == exact_serial

    def test_wildcards_match_themselves_and_nothing_found_is_an_empty_200(
        self, dept: Department
    ) -> None:
        literal = seed_item(dept, name=f"Tag 50%_{uuid.uuid4().hex[:4]}")
        seed_item(dept, name="Tag 5000")
        with dept.signed_in(dept.admin_username) as admin:
            wildcard = admin.get(LOOKUP, params={"code": "50%_"}).json()
            nothing = admin.get(LOOKUP, params={"code": unique("none")})
            blank = admin.get(LOOKUP, params={"code": "   "}).json()
            missing = admin.get(LOOKUP)
            too_many = admin.get(LOOKUP, params={"code": "x", "limit": 51})
        assert [hit["item"]["id"] for hit in wildcard["results"]] == [literal]
        assert (nothing.status_code, nothing.json()) == (200, {"results": [], "total": 0})
        assert blank == {"results": [], "total": 0}
        assert (missing.status_code, too_many.status_code) == (422, 422)

    def test_changes_through_the_api_are_found_by_the_next_scan(self, dept: Department) -> None:
        code = unique("scan")
        with dept.signed_in(dept.admin_username) as admin:

            def hits() -> list[tuple[str, str]]:
                body = admin.get(LOOKUP, params={"code": code}).json()
                return [(hit["item"]["id"], hit["matched_value"]) for hit in body["results"]]

            assert hits() == []  # the organization's index is read now, without the item
            item = create_item(admin, barcode=f"B-{code}")["id"]
            assert hits() == [(item, f"B-{code}")]
            renamed = admin.patch(f"{ITEMS}/{item}", json={"barcode": "B-other"})
            assert renamed.status_code == 200
            assert hits() == []
            admin.patch(f"{ITEMS}/{item}", json={"name": f"Axe {code}"})
            assert hits() == [(item, f"Axe {code}")]
            assert admin.post(f"{ITEMS}/{item}/retire", json={}).status_code == 200
            assert hits() == []

    def test_a_row_changed_behind_the_index_is_not_reported(self, dept: Department) -> None:
        code = unique("behind")
        kept = seed_item(dept, name=f"Kept {code}")
        gone = seed_item(dept, name=f"Gone {code}", barcode=f"B-{code}")
        with dept.signed_in(dept.admin_username) as admin:
            # Reads the organization's index, and the answer of the kept item alone.
            assert admin.get(LOOKUP, params={"code": f"Kept {code}"}).json()["total"] == 1
            # Written straight to the database: no event tells the index.
            dept.run(lambda session: _deactivate(session, gone))
            after = admin.get(LOOKUP, params={"code": code}).json()
        assert [hit["item"]["id"] for hit in after["results"]] == [kept]
        assert after["total"] == 1

    def test_a_checkout_shows_in_the_next_scan(self, dept: Department) -> None:
        code = unique("desk")
        item = seed_item(dept, name=f"Radio {code}")
        borrower, _ = dept.add_member()
        with dept.signed_in(dept.admin_username) as admin:

            def status() -> str:
                body = admin.get(LOOKUP, params={"code": code}).json()
                return str(body["results"][0]["item"]["status"])

            assert status() == "available"  # the answer is kept now
            lent = admin.post(
                f"{BASE}/checkout",
                json={
                    "item_id": item,
                    "user_id": borrower,
                    "expected_return_at": "2030-01-01T00:00:00Z",
                },
            )
            assert lent.status_code == 201, lent.text
            assert status() == "checked_out"
            checkout = lent.json()["id"]
            back = admin.post(
                f"{BASE}/checkout/{checkout}/checkin", json={"return_condition": "good"}
            )
            assert back.status_code == 200, back.text
            assert status() == "available"

    def test_manage_alone_cannot_look_up(self, dept: Department) -> None:
        role = dept.add_role(["inventory.manage"])
        member_id, username = dept.add_member()
        dept.assign(member_id, role)
        with dept.signed_in(username) as client:
            assert client.get(LOOKUP, params={"code": "x"}).status_code == 403
            assert client.get(AREAS).status_code == 403


async def _deactivate(session: Any, item_id: str) -> None:
    item = await session.get(InventoryItem, uuid.UUID(item_id))
    item.active = False
    await session.flush()


class TestStorageAreas:
    def seed_tree(self, dept: Department) -> dict[str, str]:
        async def room(session: Any) -> str:
            return str((await factories.location(session, uuid.UUID(dept.organization_id))).id)

        location = dept.run(room)
        top = seed_area(dept, name="Bay", sort_order=2, location_id=location, storage_type="rack")
        first = seed_area(dept, name="Annex", sort_order=1)
        shelf = seed_area(dept, name="Shelf", parent_id=top, location_id=location)
        bin_ = seed_area(dept, name="Bin", parent_id=shelf)
        seed_area(dept, name="Gone", is_active=False)
        seed_area(dept, dept.second_organization(), name="Foreign")
        seed_item(dept, storage_area_id=shelf)
        seed_item(dept, storage_area_id=shelf)
        seed_item(dept, storage_area_id=shelf, active=False, status="retired")
        return {"location": location, "top": top, "first": first, "shelf": shelf, "bin": bin_}

    def test_a_tree_of_active_areas_by_sort_order_with_names_and_counts(
        self, dept: Department
    ) -> None:
        ids = self.seed_tree(dept)
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.get(AREAS)
        roots = response.json()
        assert response.status_code == 200
        assert [(r["id"], r["parent_name"]) for r in roots] == [
            (ids["first"], None),
            (ids["top"], None),
        ]
        shelf = roots[1]["children"][0]
        assert (shelf["id"], shelf["parent_name"], shelf["item_count"]) == (ids["shelf"], "Bay", 2)
        assert shelf["location_name"] is not None
        assert [(c["id"], c["parent_name"]) for c in shelf["children"]] == [(ids["bin"], "Shelf")]
        assert roots[1]["storage_type"] == "rack"
        assert roots[1]["created_at"].endswith("Z")

    def test_flat_and_filtered_lists(self, dept: Department) -> None:
        ids = self.seed_tree(dept)
        with dept.signed_in(dept.admin_username) as admin:
            flat = admin.get(AREAS, params={"flat": "true"}).json()
            in_room = admin.get(AREAS, params={"location_id": ids["location"]}).json()
            below = admin.get(AREAS, params={"parent_id": ids["top"]}).json()
            malformed = admin.get(AREAS, params={"parent_id": "shelf"})
        assert [a["id"] for a in flat] == [ids["bin"], ids["shelf"], ids["first"], ids["top"]]
        assert all(a["children"] == [] for a in flat)
        # An area whose parent is not in the answer is a root.
        assert [a["id"] for a in in_room] == [ids["top"]]
        assert [c["id"] for c in in_room[0]["children"]] == [ids["shelf"]]
        assert [(a["id"], a["parent_name"]) for a in below] == [(ids["shelf"], None)]
        assert malformed.status_code == 422

    def test_a_member_with_view_reads_them_and_an_empty_organization_has_none(
        self, dept: Department
    ) -> None:
        _, member = dept.add_member("member")
        with dept.signed_in(member) as client:
            response = client.get(AREAS)
        assert (response.status_code, response.json()) == (200, [])
