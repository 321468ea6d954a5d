"""Inventory categories in-process (spec inventory.md §6.1): the tree, medical filtering,
soft deletes, permissions and tenancy."""

from typing import Any

import pytest

from tests.api.department import Department
from tests.api.inventory_support import (
    CATEGORIES,
    audit_types,
    seed_category,
    seed_item,
    unique,
)

CATEGORY_FIELDS = {
    "id",
    "organization_id",
    "name",
    "description",
    "item_type",
    "parent_category_id",
    "requires_assignment",
    "requires_serial_number",
    "requires_maintenance",
    "low_stock_threshold",
    "nfpa_tracking_enabled",
    "metadata",
    "active",
    "created_at",
    "updated_at",
    "created_by",
}


@pytest.fixture
def dept(department: Department) -> Department:
    return department


def new_category(dept: Department, **body: Any) -> dict[str, Any]:
    with dept.signed_in(dept.admin_username) as admin:
        response = admin.post(
            CATEGORIES, json={"name": unique("Category"), "item_type": "ppe", **body}
        )
    assert response.status_code == 201, response.text
    return dict(response.json())


class TestCreateAndRead:
    def test_a_category_is_answered_in_the_spec_shape(self, dept: Department) -> None:
        created = new_category(
            dept,
            description="Turnout gear",
            requires_serial_number=True,
            low_stock_threshold=3,
            metadata={"nfpa": "1971"},
        )
        with dept.signed_in(dept.admin_username) as admin:
            read = admin.get(f"{CATEGORIES}/{created['id']}")
        assert set(created) == CATEGORY_FIELDS
        assert read.json() == created
        assert created["metadata"] == {"nfpa": "1971"}
        assert created["item_type"] == "ppe"
        assert created["requires_serial_number"] is True
        assert created["requires_assignment"] is False
        assert created["active"] is True
        assert created["created_at"].endswith("Z")
        assert created["organization_id"] == dept.organization_id
        assert audit_types(dept, created["id"]) == ["inventory_category_created"]

    def test_the_list_is_by_name_without_medical_or_inactive_ones(self, dept: Department) -> None:
        tag = unique("c")
        seed_category(dept, name=f"B {tag}")
        seed_category(dept, name=f"A {tag}", item_type="tool")
        seed_category(dept, name=f"M {tag}", item_type="medical")
        seed_category(dept, name=f"Z {tag}", active=False)
        with dept.signed_in(dept.admin_username) as admin:
            listed = admin.get(CATEGORIES).json()
            every = admin.get(CATEGORIES, params={"active_only": "false"}).json()
            tools = admin.get(CATEGORIES, params={"item_type": "tool"}).json()
            medical = admin.get(CATEGORIES, params={"item_type": "medical"}).json()
            bad = admin.get(CATEGORIES, params={"item_type": "spaceship"})
        assert [c["name"] for c in listed] == [f"A {tag}", f"B {tag}"]
        assert [c["name"] for c in every] == [f"A {tag}", f"B {tag}", f"Z {tag}"]
        assert [c["name"] for c in tools] == [f"A {tag}"]
        assert medical == []
        assert bad.status_code == 422

    def test_a_medical_or_inactive_category_is_still_read_by_id(self, dept: Department) -> None:
        medical = seed_category(dept, item_type="medical")
        inactive = seed_category(dept, active=False)
        with dept.signed_in(dept.admin_username) as admin:
            assert admin.get(f"{CATEGORIES}/{medical}").status_code == 200
            assert admin.get(f"{CATEGORIES}/{inactive}").json()["active"] is False

    def test_bad_bodies_are_422(self, dept: Department) -> None:
        bodies = [
            {"item_type": "ppe"},
            {"name": "", "item_type": "ppe"},
            {"name": "x" * 256, "item_type": "ppe"},
            {"name": "Gloves"},
            {"name": "Gloves", "item_type": "hat"},
            {"name": "Gloves", "item_type": "ppe", "low_stock_threshold": -1},
            {"name": "Gloves", "item_type": "ppe", "description": "x" * 2001},
        ]
        with dept.signed_in(dept.admin_username) as admin:
            answers = [admin.post(CATEGORIES, json=body) for body in bodies]
        assert [a.status_code for a in answers] == [422] * len(bodies)
        assert answers[0].json()["detail"] == [{"field": "name", "message": "Field required"}]

    def test_unknown_fields_are_ignored(self, dept: Department) -> None:
        created = new_category(dept, colour_code="red")
        assert "colour_code" not in created


class TestTree:
    def test_a_parent_of_another_organization_is_400(self, dept: Department) -> None:
        foreign = seed_category(dept, dept.second_organization())
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.post(
                CATEGORIES,
                json={"name": "Gloves", "item_type": "ppe", "parent_category_id": foreign},
            )
        assert response.status_code == 400
        assert response.json()["detail"] == "Invalid parent category"

    def test_a_parent_below_the_category_or_itself_is_409(self, dept: Department) -> None:
        top = new_category(dept)
        middle = new_category(dept, parent_category_id=top["id"])
        bottom = new_category(dept, parent_category_id=middle["id"])
        with dept.signed_in(dept.admin_username) as admin:
            itself = admin.patch(
                f"{CATEGORIES}/{top['id']}", json={"parent_category_id": top["id"]}
            )
            below = admin.patch(
                f"{CATEGORIES}/{top['id']}", json={"parent_category_id": bottom["id"]}
            )
            moved = admin.patch(f"{CATEGORIES}/{bottom['id']}", json={"parent_category_id": None})
        assert (itself.status_code, below.status_code) == (409, 409)
        assert "subcategories" in below.json()["detail"]
        assert moved.status_code == 200
        assert moved.json()["parent_category_id"] is None


class TestEdit:
    def test_absent_fields_stay_null_clears_and_the_audit_lists_changes(
        self, dept: Department
    ) -> None:
        created = new_category(dept, description="Old", low_stock_threshold=4)
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.patch(
                f"{CATEGORIES}/{created['id']}",
                json={"description": None, "metadata": {"k": 1}, "name": "  Helmets "},
            )
            null_name = admin.patch(f"{CATEGORIES}/{created['id']}", json={"name": None})
        body = response.json()
        assert response.status_code == 200, response.text
        assert (body["name"], body["description"], body["low_stock_threshold"]) == (
            "Helmets",
            None,
            4,
        )
        assert body["metadata"] == {"k": 1}
        assert null_name.status_code == 422
        rows = dept.query(
            "SELECT event_data FROM audit_logs WHERE event_type = 'inventory_category_updated'"
            " AND organization_id = %s",
            dept.organization_id.replace("-", ""),
        )
        assert "metadata" in str(rows[-1]["event_data"])
        assert "low_stock_threshold" not in str(rows[-1]["event_data"])

    def test_delete_is_refused_while_active_items_are_in_it_then_deactivates(
        self, dept: Department
    ) -> None:
        category = seed_category(dept)
        seed_item(dept, category_id=category, active=False, status="retired")
        item = seed_item(dept, category_id=category)
        with dept.signed_in(dept.admin_username) as admin:
            refused = admin.delete(f"{CATEGORIES}/{category}")
            admin.patch(f"/api/v1/inventory/items/{item}", json={"category_id": None})
            deleted = admin.delete(f"{CATEGORIES}/{category}")
            read = admin.get(f"{CATEGORIES}/{category}")
            reactivated = admin.patch(f"{CATEGORIES}/{category}", json={"active": True})
        assert refused.status_code == 409
        assert deleted.status_code == 204
        assert read.json()["active"] is False
        assert reactivated.json()["active"] is True
        assert "inventory_category_deleted" in audit_types(dept, category)


class TestAccess:
    def test_view_reads_manage_writes_and_neither_implies_the_other(self, dept: Department) -> None:
        viewer_role = dept.add_role(["inventory.view"])
        manager_role = dept.add_role(["inventory.manage"])
        viewer_id, viewer = dept.add_member()
        manager_id, manager = dept.add_member()
        dept.assign(viewer_id, viewer_role)
        dept.assign(manager_id, manager_role)
        _, nobody = dept.add_member()
        category = seed_category(dept)
        body = {"name": "Gloves", "item_type": "ppe"}
        with dept.signed_in(viewer) as client:
            viewer_answers = [
                client.get(CATEGORIES).status_code,
                client.get(f"{CATEGORIES}/{category}").status_code,
                client.post(CATEGORIES, json=body).status_code,
                client.patch(f"{CATEGORIES}/{category}", json={"name": "x"}).status_code,
                client.delete(f"{CATEGORIES}/{category}").status_code,
            ]
        with dept.signed_in(manager) as client:
            manager_answers = [
                client.get(CATEGORIES).status_code,
                client.get(f"{CATEGORIES}/{category}").status_code,
                client.post(CATEGORIES, json=body).status_code,
                client.patch(f"{CATEGORIES}/{category}", json={"name": "x"}).status_code,
            ]
        with dept.signed_in(nobody) as client:
            nobody_answer = client.get(CATEGORIES).status_code
        with dept.client() as anonymous:
            anonymous_answer = anonymous.get(CATEGORIES).status_code
        assert viewer_answers == [200, 200, 403, 403, 403]
        assert manager_answers == [403, 403, 201, 200]
        assert (nobody_answer, anonymous_answer) == (403, 401)

    def test_another_organizations_category_is_404(self, dept: Department) -> None:
        foreign = seed_category(dept, dept.second_organization())
        with dept.signed_in(dept.admin_username) as admin:
            answers = [
                admin.get(f"{CATEGORIES}/{foreign}").status_code,
                admin.patch(f"{CATEGORIES}/{foreign}", json={"name": "x"}).status_code,
                admin.delete(f"{CATEGORIES}/{foreign}").status_code,
                admin.get(f"{CATEGORIES}/not-a-uuid").status_code,
            ]
            listed = admin.get(CATEGORIES, params={"active_only": "false"}).json()
        assert answers == [404, 404, 404, 422]
        assert foreign not in [c["id"] for c in listed]
