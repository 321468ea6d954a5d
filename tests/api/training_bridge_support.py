"""What the training session tests share: paths, sessions made through the api, the calendar's
events handed to training's consumer as a JetStream delivery would, and a member's records."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.consumers import training_consumers
from shared.events.contracts.events import CheckedIn
from shared.events.envelope import Envelope, wrap
from tests.api.calendar_inbox_support import envelopes
from tests.api.department import Department
from tests.api.events_support import EVENTS, iso
from tests.api.training_support import BASE, RECORDS, officer

SESSIONS = f"{BASE}/sessions"
DURABLE = "api-training-events"
CHECKED_IN = "logbook.api.event.checked_in"
FINALIZED = "logbook.api.event.attendance_finalized"


def finalize_path(session_id: str) -> str:
    return f"{SESSIONS}/{session_id}/finalize"


def this_minute() -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0)


def session_body(start: datetime, end: datetime, **fields: Any) -> dict[str, Any]:
    """A free-text session of two credit hours over [start, end]."""
    return {
        "title": f"Hose drill {uuid.uuid4().hex[:6]}",
        "start_datetime": iso(start),
        "end_datetime": iso(end),
        "course_name": "Hose Operations",
        "credit_hours": 2.0,
        **fields,
    }


def create_session(
    dept: Department, start: datetime, end: datetime, **fields: Any
) -> dict[str, Any]:
    """A session made through the api by a training officer (201 asserted)."""
    with dept.signed_in(officer(dept)) as client:
        response = client.post(SESSIONS, json=session_body(start, end, **fields))
    assert response.status_code == 201, response.text
    return dict(response.json())


def open_session(dept: Department, **fields: Any) -> dict[str, Any]:
    """A session that began half an hour ago and ends in an hour and a half: check-in is open."""
    start = this_minute() - timedelta(minutes=30)
    return create_session(dept, start, start + timedelta(hours=2), **fields)


def deliver(dept: Department, envelope: Envelope) -> None:
    """Hand the envelope to training's consumer once, in a transaction of its own."""
    (spec,) = [spec for spec in training_consumers() if spec.durable == DURABLE]

    async def work(session: AsyncSession) -> None:
        await spec.handler(envelope, session)

    dept.run(work)


def deliver_all(dept: Department, *subjects: str) -> list[Envelope]:
    """Every outbox event of the department on these subjects, handed over oldest first."""
    handed = [envelope for subject in subjects for envelope in envelopes(dept, subject)]
    for envelope in handed:
        deliver(dept, envelope)
    return handed


def another_check_in(dept: Department, event_id: str, user_id: str, local_date: str) -> Envelope:
    """A fresh `checked_in` event (a new event id) of a member already checked in: what a
    second check-in path would publish."""
    mark = CheckedIn(
        event_id=uuid.UUID(event_id),
        user_id=uuid.UUID(user_id),
        at=datetime.now(UTC),
        method="manager",
        event_type="training",
        local_date=datetime.fromisoformat(local_date).date(),
    )
    return wrap(
        mark, organization_id=uuid.UUID(dept.organization_id), actor_id=None, request_id=None
    )


def records_of(dept: Department, user_id: str) -> list[dict[str, Any]]:
    """The member's training records, read by a training officer."""
    with dept.signed_in(officer(dept)) as client:
        response = client.get(RECORDS, params={"user_id": user_id})
    assert response.status_code == 200, response.text
    return list(response.json())


def event_of(dept: Department, event_id: str) -> dict[str, Any]:
    with dept.signed_in(dept.admin_username) as client:
        response = client.get(f"{EVENTS}/{event_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())
