"""What the leave and waiver tests share: paths, the members who call, and the audit entries
and events a request leaves (reasons must be in none of them)."""

import json
from datetime import date, timedelta
from typing import Any

from tests.api.department import Department
from tests.api.training_reads_support import today
from tests.api.training_support import BASE, org_id

LEAVES = "/api/v1/users/leaves-of-absence"
WAIVERS = f"{BASE}/waivers"
REASON = "Knee surgery, cleared by Dr. Osei"  # medical: never audited, announced or logged


def quarters_first_month() -> tuple[str, str]:
    """The first and last days of the first month of the department's current quarter."""
    day = today()
    first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    last = first.replace(month=first.month + 1) - timedelta(days=1)
    return first.isoformat(), last.isoformat()


def member_leaves_path(user_id: str) -> str:
    return f"/api/v1/users/{user_id}/leaves-of-absence"


def with_permissions(dept: Department, *permissions: str) -> tuple[str, str]:
    """A member holding only `member` and a custom role of these permissions: (id, username)."""
    user_id, username = dept.add_member("member")
    if permissions:
        dept.assign(user_id, dept.add_role(list(permissions)))
    return user_id, username


def granter(dept: Department) -> tuple[str, str]:
    """Who may grant leaves: `members.manage` and `scheduling.assign` (§1.2)."""
    return with_permissions(dept, "members.manage", "scheduling.assign")


def leave_body(user_id: str, **fields: Any) -> dict[str, Any]:
    return {"user_id": user_id, "start_date": "2026-03-01", "end_date": "2026-05-31", **fields}


def audit_rows(dept: Department, category: str) -> list[dict[str, Any]]:
    """(event type, data) of the department's audit entries of one category, oldest first."""
    rows = dept.query(
        "SELECT event_type, event_data FROM audit_logs WHERE organization_id = %s"
        " AND event_category = %s ORDER BY id",
        org_id(dept).hex,
        category,
    )
    return [{"event_type": row["event_type"], "data": _document(row["event_data"])} for row in rows]


def outbox_rows(dept: Department, pattern: str) -> list[tuple[str, dict[str, Any]]]:
    """(subject, data) of the department's outbox rows whose subject is LIKE `pattern`."""
    rows = dept.query(
        "SELECT subject, payload FROM outbox WHERE subject LIKE %s ORDER BY created_at, id",
        pattern,
    )
    found = []
    for row in rows:
        payload = json.loads(bytes(row["payload"]).decode())
        if payload.get("organization_id") == dept.organization_id:
            found.append((row["subject"], dict(payload["data"])))
    return found


def mentions(dept: Department, text: str) -> bool:
    """Whether any audit entry or outbox event of the department holds `text`."""
    audited = any(
        text in json.dumps(row["data"])
        for category in ("training", "user_management")
        for row in audit_rows(dept, category)
    )
    return audited or any(text in json.dumps(data) for _, data in outbox_rows(dept, "%"))


def _document(value: object) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    return dict(json.loads(str(value)))
