"""What the training tests share: paths, seeded rows, the officer and member who call, and
the audit entries and outbox events a request leaves."""

import json
import uuid
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.department import Department
from tests.support import factories

BASE = "/api/v1/training"
CATEGORIES = f"{BASE}/categories"
COURSES = f"{BASE}/courses"
RECORDS = f"{BASE}/records"
BULK = f"{RECORDS}/bulk"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def org_id(dept: Department, organization_id: str | None = None) -> uuid.UUID:
    return uuid.UUID(organization_id or dept.organization_id)


def officer(dept: Department) -> str:
    """A training officer (`training.manage`) of the department; their username."""
    return dept.add_member("training_officer")[1]


def seed_category(dept: Department, organization_id: str | None = None, **fields: Any) -> str:
    """A category written directly (not through the api); its id."""

    async def run(session: AsyncSession) -> str:
        row = await factories.training_category(session, org_id(dept, organization_id), **fields)
        return str(row.id)

    return dept.run(run)


def seed_course(dept: Department, organization_id: str | None = None, **fields: Any) -> str:
    """A course written directly; its id."""

    async def run(session: AsyncSession) -> str:
        row = await factories.training_course(session, org_id(dept, organization_id), **fields)
        return str(row.id)

    return dept.run(run)


def seed_record(
    dept: Department, user_id: str, organization_id: str | None = None, **fields: Any
) -> str:
    """A record of the member written directly (completed, 2 hours, unless given); its id."""

    async def run(session: AsyncSession) -> str:
        row = await factories.training_record(
            session, org_id(dept, organization_id), uuid.UUID(user_id), **fields
        )
        return str(row.id)

    return dept.run(run)


def created(response: httpx.Response) -> dict[str, Any]:
    """The body of a 201 (asserted)."""
    assert response.status_code == 201, response.text
    return dict(response.json())


def audit_entries(dept: Department, subject: str) -> list[tuple[str, dict[str, Any]]]:
    """(event type, data) of the department's training audit entries mentioning `subject`."""
    rows = dept.query(
        "SELECT event_type, severity, event_data FROM audit_logs WHERE organization_id = %s"
        " AND event_category = 'training' ORDER BY id",
        org_id(dept).hex,
    )
    return [
        (row["event_type"], {**_document(row["event_data"]), "_severity": row["severity"]})
        for row in rows
        if subject in str(row["event_data"])
    ]


def audit_types(dept: Department, subject: str) -> list[str]:
    """Event types of the department's training audit entries that mention `subject`."""
    return [event_type for event_type, _ in audit_entries(dept, subject)]


def outbox_events(dept: Department, subject_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(subject, data) of the training outbox rows whose payload names `subject_id`."""
    rows = dept.query(
        "SELECT subject, payload FROM outbox WHERE subject LIKE 'logbook.api.training.%%'"
        " ORDER BY created_at, id"
    )
    found = []
    for row in rows:
        payload = bytes(row["payload"]).decode()
        if subject_id in payload:
            found.append((row["subject"], dict(json.loads(payload)["data"])))
    return found


def outbox_subjects(dept: Department, subject_id: str) -> list[str]:
    """Subjects of the training outbox rows whose payload names `subject_id`."""
    return [subject for subject, _ in outbox_events(dept, subject_id)]


def _document(value: object) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    return dict(json.loads(str(value)))
