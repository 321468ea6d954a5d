"""Helpers the tests of audited changes share (no tests here): audit rows and outbox envelopes."""

import json
import time
import uuid
from typing import Any

from tests.api.department import Department as InProcessDepartment
from tests.e2e.department import Department as GatewayDepartment

# The helpers serve the in-process tests and those through the gateway alike.
Department = InProcessDepartment | GatewayDepartment


def audit_entries(dept: Department, event_type: str) -> list[dict[str, Any]]:
    """The department's entries of one type (other modules' organizations share the table)."""
    rows = dept.query(
        "SELECT * FROM audit_logs WHERE organization_id = %s AND event_type = %s ORDER BY id",
        uuid.UUID(dept.organization_id).hex,
        event_type,
    )
    for row in rows:
        row["event_data"] = json.loads(row["event_data"])
    return rows


def audit_entry(dept: Department, event_type: str, **data: object) -> dict[str, Any]:
    """The entry of this type whose data holds `data`; waits for deferred appends (10 s)."""
    deadline = time.monotonic() + 10
    while True:
        for entry in audit_entries(dept, event_type):
            if all(entry["event_data"].get(key) == value for key, value in data.items()):
                return entry
        assert time.monotonic() < deadline, f"no {event_type} entry with {data}"
        time.sleep(0.2)


def outbox_events(dept: Department, subject: str) -> list[dict[str, Any]]:
    """The department's envelopes of one subject (the outbox has no organization column)."""
    rows = dept.query("SELECT payload FROM outbox WHERE subject = %s", subject)
    envelopes = [json.loads(row["payload"]) for row in rows]
    return [e for e in envelopes if e["organization_id"] == str(uuid.UUID(dept.organization_id))]
