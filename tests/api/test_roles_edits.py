"""Role edits and deletes in-process (spec §3.3, §4 #3, #6, #16): ceilings, system
roles, the last administrator, tenancy, and members' permissions following at once."""

import json
import uuid

import pytest

from tests.api.audit_support import audit_entry, outbox_events
from tests.api.department import Department, create_admin
from tests.api.roles_support import (
    ROLES,
    assign,
    create_role,
    hexid,
    role_row,
    stored_permissions,
    system_role,
    unique_name,
)


@pytest.fixture
def dept(department: Department) -> Department:
    """The test's organization on the in-process api."""
    return department


def lone_administrator(dept: Department) -> tuple[str, str]:
    """A new organization whose only active administrator holds one custom role.

    Returns (its admin's username, the custom role's id). The organization's `create-admin`
    owner is made inactive, so the custom role is the last source of `members.manage`.
    """
    owner = f"o{uuid.uuid4().hex[:10]}"
    name = unique_name("Lone Department")
    create_admin(dept, name, owner)
    org = str(uuid.UUID(dept.query("SELECT id FROM organizations WHERE name = %s", name)[0]["id"]))
    role_id = dept.add_role(
        ["members.manage", "positions.manage_permissions", "positions.view"],
        organization_id=org,
        name="Sole Admin",
        slug="sole_admin",
        priority=50,
    )
    user_id, username = dept.add_member("member", organization_id=org)
    assign(dept, user_id, role_id)
    dept.query("UPDATE users SET status = 'inactive' WHERE username = %s", owner)
    return username, role_id


class TestUpdateRole:
    def test_a_custom_role_takes_every_field_and_keeps_its_slug(self, dept: Department) -> None:
        role = create_role(dept, name=unique_name("Editable"), permissions=["members.view"])
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.patch(
                f"{ROLES}/{role['id']}",
                json={
                    "name": "Renamed Role",
                    "description": "Now described",
                    "permissions": ["members.view", "events.manage"],
                    "priority": 12,
                },
            )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["name"], body["slug"], body["priority"]) == (
            "Renamed Role",
            role["slug"],
            12,
        )
        assert body["description"] == "Now described"
        assert body["permissions"] == ["members.view", "events.manage"]
        entry = audit_entry(dept, "role_updated", role_id=role["id"])
        assert entry["severity"] == "warning"
        assert entry["event_data"]["changes"]["permissions_changed"] == {
            "added": ["events.manage"],
            "removed": [],
        }
        event = next(
            e
            for e in outbox_events(dept, "logbook.api.role.updated")
            if e["data"]["role_id"] == role["id"]
        )
        assert event["data"]["previous_permissions"] == ["members.view"]

    def test_a_system_role_ignores_name_and_priority(self, dept: Department) -> None:
        historian = system_role(dept, "historian")
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.patch(
                f"{ROLES}/{historian['id']}",
                json={
                    "name": "Archivist",
                    "priority": 99,
                    "description": "Keeps the records",
                    "permissions": json.loads(historian["permissions"]),
                },
            )
        assert response.status_code == 200
        body = response.json()
        assert (body["name"], body["priority"], body["is_system"]) == ("Historian", 50, True)
        assert body["description"] == "Keeps the records"

    def test_the_definition_ceiling_applies_to_the_new_list(self, dept: Department) -> None:
        role = create_role(dept, name=unique_name("Ceiling"), permissions=["members.view"])
        _, chief = dept.add_member("fire_chief")
        with dept.signed_in(chief) as client:
            refused = client.patch(
                f"{ROLES}/{role['id']}", json={"permissions": ["finance.approve"]}
            )
            invalid = client.patch(f"{ROLES}/{role['id']}", json={"permissions": ["nope.nope"]})
        assert refused.status_code == 403
        assert "finance.approve" in refused.json()["detail"]
        assert (invalid.status_code, invalid.json()["detail"]) == (
            400,
            "Invalid permissions: nope.nope",
        )
        assert stored_permissions(dept, role["id"]) == ["members.view"]

    def test_needs_an_edit_permission(self, dept: Department) -> None:
        role = create_role(dept, name=unique_name("Guarded"))
        _, secretary = dept.add_member("secretary")
        with dept.signed_in(secretary) as client:
            response = client.patch(f"{ROLES}/{role['id']}", json={"description": "x"})
        assert response.status_code == 403

    def test_removing_the_last_administrators_grant_is_400(self, dept: Department) -> None:
        username, role_id = lone_administrator(dept)
        with dept.signed_in(username) as client:
            response = client.patch(
                f"{ROLES}/{role_id}",
                json={"permissions": ["positions.manage_permissions", "positions.view"]},
            )
        assert response.status_code == 400
        assert "members.manage" in response.json()["detail"]
        assert "members.manage" in stored_permissions(dept, role_id)


class TestDeleteRole:
    def test_deletes_a_custom_role_and_its_assignments(self, dept: Department) -> None:
        role = create_role(dept, name=unique_name("Doomed"), permissions=["members.view"])
        holder, _ = dept.add_member("member")
        assign(dept, holder, role["id"])
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.delete(f"{ROLES}/{role['id']}")
        assert (response.status_code, response.content) == (204, b"")
        assert role_row(dept, role["id"]) is None
        assert not dept.query(
            "SELECT * FROM user_positions WHERE position_id = %s", hexid(role["id"])
        )
        entry = audit_entry(dept, "role_deleted", role_id=role["id"])
        assert entry["severity"] == "warning"
        event = next(
            e
            for e in outbox_events(dept, "logbook.api.role.deleted")
            if e["data"]["role_id"] == role["id"]
        )
        assert event["data"]["affected_user_ids"] == [holder]

    def test_a_system_role_cannot_be_deleted(self, dept: Department) -> None:
        historian = system_role(dept, "historian")
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.delete(f"{ROLES}/{historian['id']}")
        assert response.status_code == 403
        assert role_row(dept, historian["id"]) is not None

    def test_deleting_the_last_administrators_role_is_400(self, dept: Department) -> None:
        username, role_id = lone_administrator(dept)
        dept.query(
            "UPDATE positions SET permissions = %s WHERE id = %s",
            '["members.manage", "positions.delete", "positions.view"]',
            hexid(role_id),
        )
        with dept.signed_in(username) as client:
            response = client.delete(f"{ROLES}/{role_id}")
        assert response.status_code == 400
        assert role_row(dept, role_id) is not None

    def test_needs_a_delete_permission(self, dept: Department) -> None:
        role = create_role(dept, name=unique_name("Kept"))
        _, chief = dept.add_member("deputy_chief")  # positions.view only
        with dept.signed_in(chief) as client:
            assert client.delete(f"{ROLES}/{role['id']}").status_code == 403
        assert role_row(dept, role["id"]) is not None


class TestIdsAndTenancy:
    def test_a_malformed_id_is_422_and_an_unknown_one_404(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            malformed = admin.patch(f"{ROLES}/not-a-uuid", json={"description": "x"})
            unknown = admin.delete(f"{ROLES}/{uuid.uuid4()}")
        assert (malformed.status_code, malformed.json()["code"]) == (422, "LB-VAL-001")
        assert (unknown.status_code, unknown.json()["detail"]) == (404, "Role not found")

    def test_another_organizations_role_looks_missing(self, dept: Department) -> None:
        other = dept.second_organization()
        foreign = system_role(dept, "historian", organization_id=other)
        with dept.signed_in(dept.admin_username) as admin:
            edited = admin.patch(f"{ROLES}/{foreign['id']}", json={"description": "mine now"})
            deleted = admin.delete(f"{ROLES}/{foreign['id']}")
        assert (edited.status_code, edited.json()["detail"]) == (404, "Role not found")
        assert deleted.status_code == 404
        assert role_row(dept, foreign["id"])["description"] is None


class TestMembersFollowAtOnce:
    def test_a_permission_removed_from_a_role_is_refused_on_the_next_request(
        self, dept: Department
    ) -> None:
        role = create_role(dept, name=unique_name("Viewers"), permissions=["positions.view"])
        holder, username = dept.add_member("member")
        assign(dept, holder, role["id"])
        with dept.signed_in(username) as client:
            assert client.get(ROLES).status_code == 200  # cached: may view roles
            with dept.signed_in(dept.admin_username) as admin:
                edited = admin.patch(f"{ROLES}/{role['id']}", json={"permissions": []})
            assert edited.status_code == 200
            assert client.get(ROLES).status_code == 403  # not a minute later

    def test_a_deleted_role_stops_granting_on_the_next_request(self, dept: Department) -> None:
        role = create_role(dept, name=unique_name("Temporary"), permissions=["positions.view"])
        holder, username = dept.add_member("member")
        assign(dept, holder, role["id"])
        with dept.signed_in(username) as client:
            assert client.get(ROLES).status_code == 200
            with dept.signed_in(dept.admin_username) as admin:
                assert admin.delete(f"{ROLES}/{role['id']}").status_code == 204
            assert client.get(ROLES).status_code == 403
