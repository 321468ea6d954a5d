"""Role edits and deletes through the gateway (spec §3.3, §4 #3, #6, #16): ceilings, system
roles, the last administrator, tenancy, and members' permissions following at once."""

import json
import uuid
from typing import Any

import pytest

from tests.api.test_roles import (
    ROLES,
    audit_entry,
    hexid,
    role_row,
    unique_name,
)
from tests.e2e.department import Department, create_admin

pytestmark = pytest.mark.e2e


def assign(dept: Department, user_id: str, role_id: str) -> None:
    dept.query(
        "INSERT INTO user_positions (user_id, position_id, assigned_at)"
        " VALUES (%s, %s, UTC_TIMESTAMP(6))",
        hexid(user_id),
        hexid(role_id),
    )


@pytest.fixture(scope="module")
def dept(department: Department) -> Department:
    """The module's organization on the worker's shared platform."""
    return department


def stored_permissions(dept: Department, role_id: str) -> list[str]:
    row = role_row(dept, role_id)
    assert row is not None
    return list(json.loads(row["permissions"]))


def system_role(dept: Department, slug: str, organization_id: str | None = None) -> dict[str, Any]:
    org = organization_id or dept.organization_id
    rows = dept.query(
        "SELECT * FROM positions WHERE organization_id = %s AND slug = %s", hexid(org), slug
    )
    row = rows[0]
    row["id"] = str(uuid.UUID(row["id"]))
    return row


def lone_administrator(dept: Department) -> tuple[str, str]:
    """A new organization whose only active administrator holds one custom role.

    Returns (its admin's username, the custom role's id). The organization's `create-admin`
    owner is made inactive, so the custom role is the last source of `members.manage`.
    """
    owner = f"o{uuid.uuid4().hex[:10]}"
    name = unique_name("Lone Department")
    create_admin(dept, name, owner)
    org = str(uuid.UUID(dept.query("SELECT id FROM organizations WHERE name = %s", name)[0]["id"]))
    role_id = str(uuid.uuid4())
    dept.query(
        "INSERT INTO positions (id, organization_id, name, slug, permissions, is_system,"
        " priority, created_at, updated_at) VALUES (%s, %s, 'Sole Admin', 'sole_admin', %s, 0,"
        " 50, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
        hexid(role_id),
        hexid(org),
        '["members.manage", "positions.manage_permissions", "positions.view"]',
    )
    user_id, username = dept.add_member("member", organization_id=org)
    assign(dept, user_id, role_id)
    dept.query("UPDATE users SET status = 'inactive' WHERE username = %s", owner)
    return username, role_id


class TestUpdateRole:
    def test_the_edit_ceiling_protects_what_a_role_grants_now(self, dept: Department) -> None:
        owner = system_role(dept, "it_manager")
        _, chief = dept.add_member("fire_chief")
        with dept.signed_in(chief) as client:
            response = client.patch(
                f"{ROLES}/{owner['id']}", json={"permissions": ["members.view"]}
            )
        assert (response.status_code, response.json()["code"]) == (403, "LB-PERM-001")
        assert stored_permissions(dept, owner["id"]) == ["*"]
        blocked = audit_entry(dept, "privilege_escalation_blocked", target=f"role:{owner['id']}")
        assert blocked["severity"] == "critical"
