"""Helpers the member tests share (no tests here): bodies, fields, the lifecycle table, events,
audit rows, role ids."""

import json
import uuid
from typing import Any

import httpx

from tests.api.department import Department as InProcessDepartment
from tests.e2e.department import Department as GatewayDepartment

# The helpers serve the in-process tests and those through the gateway alike.
Department = InProcessDepartment | GatewayDepartment

USERS = "/api/v1/users"
# A password that passes every rule of spec/auth.md §5.1.
CHOSEN_PASSWORD = "Ladder-Forty-2#Climbs"
# A member as `POST /users` returns it, with roles.
WITH_ROLES_FIELDS = {
    "id", "organization_id", "username", "email", "first_name", "middle_name", "last_name",
    "full_name", "membership_number", "phone", "mobile", "photo_url", "status",
    "membership_type", "compliance_exempt", "hire_date", "rank", "station", "platoon",
    "personal_email", "date_of_birth", "address_street", "address_city", "address_state",
    "address_zip", "address_country", "emergency_contacts", "email_verified", "mfa_enabled",
    "last_login_at", "created_at", "updated_at", "roles", "temporary_password",
}  # fmt: skip
# Every member status, and the statuses each may move to.
STATUSES = [
    "active", "inactive", "suspended", "probationary", "leave", "retired",
    "dropped_voluntary", "dropped_involuntary", "archived",
]  # fmt: skip
ALLOWED = {
    "probationary": {"active", "inactive", "suspended", "leave", "dropped_voluntary",
                     "dropped_involuntary"},
    "active": {"probationary", "inactive", "suspended", "leave", "retired", "dropped_voluntary",
               "dropped_involuntary"},
    "inactive": {"probationary", "active", "suspended", "leave", "retired", "dropped_voluntary",
                 "dropped_involuntary"},
    "suspended": {"probationary", "active", "inactive", "dropped_voluntary",
                  "dropped_involuntary"},
    "leave": {"active", "inactive", "suspended", "retired", "dropped_voluntary",
              "dropped_involuntary"},
    "retired": {"active", "inactive"},
    "dropped_voluntary": {"probationary", "active"},
    "dropped_involuntary": {"probationary", "active"},
    "archived": set(),
}  # fmt: skip


def unique(prefix: str = "n") -> str:
    """A short unique token for usernames, emails and numbers."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def member_body(**overrides: Any) -> dict[str, Any]:
    """A valid `POST /users` body with a unique username and email."""
    name = unique()
    body: dict[str, Any] = {
        "username": name,
        "email": f"{name}@station9.example.org",
        "first_name": "Casey",
        "last_name": f"Rivera{name[-4:]}",
    }
    body.update(overrides)
    return body


def db_id(value: str) -> str:
    """A UUID in the canonical form MariaDB's UUID columns read back."""
    return str(uuid.UUID(value))


def role_id(department: Department, slug: str, organization_id: str | None = None) -> str:
    """The id of a role of the department (or of another organization)."""
    org = organization_id or department.organization_id
    rows = department.query(
        "SELECT id FROM positions WHERE organization_id = %s AND slug = %s", db_id(org), slug
    )
    return str(uuid.UUID(rows[0]["id"]))


def events(department: Department, subject: str, user_id: str) -> list[dict[str, Any]]:
    """Envelopes of one subject in the outbox whose data names the member, oldest first."""
    rows = department.query(
        "SELECT payload FROM outbox WHERE subject = %s ORDER BY created_at", subject
    )
    found = [json.loads(row["payload"]) for row in rows]
    return [
        envelope
        for envelope in found
        if envelope["data"].get("user_id") == user_id
        and envelope["organization_id"] == db_id(department.organization_id)
    ]


def audit_entries(
    department: Department, event_type: str, key: str, value: str
) -> list[dict[str, Any]]:
    """The department's audit rows of one type whose event_data[key] equals value, oldest first."""
    rows = department.query(
        "SELECT * FROM audit_logs WHERE organization_id = %s AND event_type = %s ORDER BY id",
        db_id(department.organization_id),
        event_type,
    )
    entries = []
    for row in rows:
        row["event_data"] = json.loads(row["event_data"])
        if row["event_data"].get(key) == value:
            entries.append(row)
    return entries


def user_row(department: Department, user_id: str) -> dict[str, Any]:
    """The member's raw `users` row."""
    return department.query("SELECT * FROM users WHERE id = %s", db_id(user_id))[0]


def set_status(department: Department, user_id: str, status: str) -> None:
    department.query("UPDATE users SET status = %s WHERE id = %s", status, db_id(user_id))


def admin_of(department: Department, organization_id: str) -> str:
    """The username `create-admin` gave another organization."""
    rows = department.query(
        "SELECT username FROM users WHERE organization_id = %s", db_id(organization_id)
    )
    return str(rows[0]["username"])


def create_member(
    department: Department, body: dict[str, Any], as_user: str | None = None
) -> httpx.Response:
    """`POST /users` as `as_user`, by default the department's administrator."""
    with department.signed_in(as_user or department.admin_username) as client:
        return client.post(USERS, json=body)
