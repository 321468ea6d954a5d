"""Roles and the permission catalogue in-process (spec §3.3, §4 #2, #16, #17)."""

import uuid
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from api.roles.repository import RoleRepository
from shared.catalog.permissions import CATEGORIES
from tests.api.audit_support import audit_entry, outbox_events
from tests.api.department import Department
from tests.api.roles_support import (
    ROLE_FIELDS,
    ROLES,
    assign,
    create_role,
    hexid,
    role_row,
    unique_name,
)


@pytest.fixture
def dept(department: Department) -> Department:
    """The test's organization on the in-process api."""
    return department


def count_list_statements(dept: Department) -> int:
    """SQL statements the role list (with holder counts) costs, on the test's connection."""
    executed: list[str] = []

    def record(*args: Any) -> None:
        executed.append(args[2])

    async def listing(session: AsyncSession) -> None:
        assert await RoleRepository(
            session, uuid.UUID(dept.organization_id)
        ).list_with_user_counts()

    event.listen(dept.engine.sync_engine, "before_cursor_execute", record)
    try:
        dept.run(listing)
    finally:
        event.remove(dept.engine.sync_engine, "before_cursor_execute", record)
    return len([sql for sql in executed if "positions" in sql])


class TestPermissionCatalogue:
    def test_any_member_reads_it_grouped_in_catalogue_order(self, dept: Department) -> None:
        _, username = dept.add_member("member")
        with dept.signed_in(username) as client:
            response = client.get(f"{ROLES}/permissions/by-category")
        assert response.status_code == 200
        body = response.json()
        assert [group["category"] for group in body] == list(CATEGORIES)
        assert sum(len(group["permissions"]) for group in body) == 105
        assert body[0]["permissions"][0] == {
            "name": "users.view",
            "description": "View member records",
            "category": "users",
        }

    def test_without_a_session_it_is_401(self, dept: Department) -> None:
        response = dept.client().get(f"{ROLES}/permissions/by-category")
        assert response.status_code == 401


class TestListRoles:
    def test_needs_positions_view(self, dept: Department) -> None:
        _, member = dept.add_member("member")
        with dept.signed_in(member) as client:
            response = client.get(ROLES)
        assert (response.status_code, response.json()["code"]) == (403, "LB-PERM-001")
        _, secretary = dept.add_member("secretary")  # positions.view
        with dept.signed_in(secretary) as client:
            assert client.get(ROLES).status_code == 200

    def test_lists_priority_then_name_with_user_counts(self, dept: Department) -> None:
        role = create_role(dept, name=unique_name("Counted"), priority=33)
        for _ in range(3):
            user_id, _ = dept.add_member("member")
            assign(dept, user_id, role["id"])
        deleted, _ = dept.add_member()
        assign(dept, deleted, role["id"])
        dept.query("UPDATE users SET deleted_at = UTC_TIMESTAMP(6) WHERE id = %s", hexid(deleted))
        with dept.signed_in(dept.admin_username) as admin:
            body = admin.get(ROLES).json()
            uncounted = admin.get(ROLES, params={"include_user_count": "false"}).json()
        assert isinstance(body, list)
        assert set(body[0]) == ROLE_FIELDS | {"user_count"}
        order = [(-r["priority"], r["name"]) for r in body]
        assert order == sorted(order)
        assert body[0]["slug"] == "it_manager"
        counted = next(r for r in body if r["id"] == role["id"])
        assert counted["user_count"] == 3  # the soft-deleted holder is not counted
        assert counted["created_at"].endswith("Z")
        assert {r["user_count"] for r in uncounted} == {None}
        assert [r["id"] for r in uncounted] == [r["id"] for r in body]

    def test_counts_holders_in_one_statement_however_many_roles(self, dept: Department) -> None:
        before = count_list_statements(dept)
        for _ in range(5):
            role = create_role(dept, name=unique_name("Many"))
            for _ in range(4):
                user_id, _ = dept.add_member("member")
                assign(dept, user_id, role["id"])
        assert count_list_statements(dept) == before == 1

    def test_never_shows_another_organizations_roles(self, dept: Department) -> None:
        other = dept.second_organization()
        dept.add_role(organization_id=other, name="Foreign Role", slug="foreign_role")
        with dept.signed_in(dept.admin_username) as admin:
            body = admin.get(ROLES).json()
        assert {r["organization_id"] for r in body} == {dept.organization_id}
        assert "foreign_role" not in {r["slug"] for r in body}


class TestCreateRole:
    def test_creates_a_custom_role_with_a_slug_from_its_name(self, dept: Department) -> None:
        name = f"Station Captain (Day) #{uuid.uuid4().hex[:4]}!"
        created = create_role(
            dept, name=name, description="Days", permissions=["members.view"], priority=40
        )
        assert set(created) == ROLE_FIELDS
        expected_slug = f"station_captain_day_{name.split('#')[1][:4]}"
        assert created["slug"] == expected_slug
        assert (created["is_system"], created["priority"]) == (False, 40)
        assert created["permissions"] == ["members.view"]
        again = create_role(dept, name=name)
        third = create_role(dept, name=name.upper())
        assert again["slug"] == f"{expected_slug}_2"
        assert third["slug"] == f"{expected_slug}_3"
        row = role_row(dept, created["id"])
        assert row is not None
        assert row["slug"] == expected_slug
        entry = audit_entry(dept, "role_created", role_id=created["id"])
        assert (entry["event_category"], entry["severity"]) == ("access_control", "warning")
        assert entry["event_data"]["role_slug"] == expected_slug
        event = next(
            e
            for e in outbox_events(dept, "logbook.api.role.created")
            if e["data"]["role_id"] == created["id"]
        )
        assert event["data"]["permissions"] == ["members.view"]
        assert event["organization_id"] == dept.organization_id

    def test_unknown_keys_and_bad_fields_are_422(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            with_slug = admin.post(ROLES, json={"name": unique_name("Slugged"), "slug": "mine"})
            no_name = admin.post(ROLES, json={"permissions": []})
            too_senior = admin.post(ROLES, json={"name": unique_name("Top"), "priority": 101})
        for response in (with_slug, no_name, too_senior):
            assert (response.status_code, response.json()["code"]) == (422, "LB-VAL-001")

    def test_unknown_permission_names_are_400_and_named(self, dept: Department) -> None:
        name = unique_name("Invalid")
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.post(
                ROLES,
                json={"name": name, "permissions": ["members.view", "foo.bar", "roles.view"]},
            )
            wildcard = admin.post(ROLES, json={"name": name, "permissions": ["bogus.*"]})
        assert response.status_code == 400
        assert response.json()["detail"] == "Invalid permissions: foo.bar, roles.view"
        assert wildcard.json()["detail"] == "Invalid permissions: bogus.*"
        assert not dept.query("SELECT id FROM positions WHERE name = %s", name)

    def test_wildcards_are_accepted_from_star_holders(self, dept: Department) -> None:
        created = create_role(dept, name=unique_name("Owners"), permissions=["*", "training.*"])
        assert created["permissions"] == ["*", "training.*"]

    def test_the_definition_ceiling_refuses_what_the_caller_lacks(self, dept: Department) -> None:
        _, chief = dept.add_member("fire_chief")  # positions.* but no finance, no "*"
        name = unique_name("Escalation")
        with dept.signed_in(chief) as client:
            finance = client.post(ROLES, json={"name": name, "permissions": ["finance.manage"]})
            star = client.post(ROLES, json={"name": name, "permissions": ["*"]})
            module = client.post(ROLES, json={"name": name, "permissions": ["training.*"]})
            allowed = client.post(ROLES, json={"name": name, "permissions": ["training.manage"]})
        assert (finance.status_code, finance.json()["code"]) == (403, "LB-PERM-001")
        assert "finance.manage" in finance.json()["detail"]
        assert star.status_code == module.status_code == 403
        assert allowed.status_code == 201
        assert len(dept.query("SELECT id FROM positions WHERE name = %s", name)) == 1
        blocked = audit_entry(
            dept, "privilege_escalation_blocked", missing_permissions=["finance.manage"]
        )
        assert blocked["severity"] == "critical"
        assert outbox_events(dept, "logbook.api.security.privilege_escalation_blocked")

    def test_needs_positions_create_or_manage_permissions(self, dept: Department) -> None:
        _, secretary = dept.add_member("secretary")
        with dept.signed_in(secretary) as client:
            response = client.post(ROLES, json={"name": unique_name("Nope")})
        assert response.status_code == 403
