"""Helpers the role tests share (no tests here): role rows, system roles, custom roles."""

import json
import uuid
from typing import Any

from tests.api.department import Department as InProcessDepartment
from tests.e2e.department import Department as GatewayDepartment

# The helpers serve the in-process tests and those through the gateway alike.
Department = InProcessDepartment | GatewayDepartment

ROLES = "/api/v1/roles"
ROLE_FIELDS = {
    "id",
    "organization_id",
    "name",
    "slug",
    "description",
    "permissions",
    "is_system",
    "priority",
    "created_at",
    "updated_at",
}


def hexid(value: str) -> str:
    """A UUID as MariaDB stores it."""
    return uuid.UUID(value).hex


def unique_name(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:6]}"


def role_row(dept: Department, role_id: str) -> dict[str, Any] | None:
    rows = dept.query("SELECT * FROM positions WHERE id = %s", hexid(role_id))
    return rows[0] if rows else None


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


def assign(dept: InProcessDepartment, user_id: str, role_id: str) -> None:
    """Give the member one more role (in-process: the gateway tests have no use for it yet)."""
    dept.assign(user_id, role_id)


def create_role(dept: Department, **body: Any) -> dict[str, Any]:
    """A custom role created by the `*` administrator."""
    with dept.signed_in(dept.admin_username) as admin:
        response = admin.post(ROLES, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())
