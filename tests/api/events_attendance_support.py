"""What the RSVP, attendance and check-in tests share: paths, the RSVP's fields, rows read
back, and an event placed around now."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.api.department import Department
from tests.api.events_support import EVENTS, manager, seed_event

UNKNOWN = "8d5f9a52-5a7f-4d43-9f0e-0a1c3d2e4b6f"  # an event or member nobody has

RSVP_FIELDS = {
    "id", "event_id", "user_id", "status", "guest_count", "notes", "dietary_restrictions",
    "accessibility_needs", "responded_at", "updated_at", "checked_in", "checked_in_at",
    "checked_out_at", "attendance_duration_minutes", "override_check_in_at",
    "override_check_out_at", "override_duration_minutes", "overridden_by", "overridden_at",
    "user_name", "user_email", "notice",
}  # fmt: skip


def at(event_id: str, action: str) -> str:
    """The path of one of the event's routes."""
    return f"{EVENTS}/{event_id}/{action}"


def now() -> datetime:
    return datetime.now(UTC)


def around_now(dept: Department, starts_in: timedelta, hours: float = 2, **fields: Any) -> str:
    """An event starting `starts_in` from now (negative: already started); its id."""
    start = (now() + starts_in).replace(microsecond=0)
    return seed_event(
        dept, start_datetime=start, end_datetime=start + timedelta(hours=hours), **fields
    )


def rsvp_event(dept: Department, organization_id: str | None = None, **fields: Any) -> str:
    """A published event a week out that asks for RSVPs (`going`/`not_going`/`maybe`)."""
    values: dict[str, Any] = {
        "requires_rsvp": True,
        "allowed_rsvp_statuses": ["going", "not_going", "maybe"],
        **fields,
    }
    return seed_event(dept, organization_id, **values)


def person(dept: Department, first: str = "Alex", last: str | None = None) -> tuple[str, str]:
    """A plain member (role `member`); (id, username)."""
    return dept.add_member("member", first_name=first, last_name=last)


def rsvp_rows(dept: Department, event_id: str) -> list[dict[str, Any]]:
    """The event's RSVP rows, first answer first."""
    return dept.query(
        "SELECT * FROM event_rsvps WHERE event_id = %s ORDER BY responded_at, id",
        uuid.UUID(event_id).hex,
    )


def row_of(dept: Department, event_id: str, user_id: str) -> dict[str, Any] | None:
    found = [row for row in rsvp_rows(dept, event_id) if same(row["user_id"], user_id)]
    return found[0] if found else None


def history(dept: Department, event_id: str) -> list[tuple[str, str | None, str]]:
    """(user id, old status, new status) of the event's RSVP history, oldest first."""
    rows = dept.query(
        "SELECT user_id, old_status, new_status FROM rsvp_history WHERE event_id = %s"
        " ORDER BY changed_at, id",
        uuid.UUID(event_id).hex,
    )
    return [(str(uuid.UUID(str(r["user_id"]))), r["old_status"], r["new_status"]) for r in rows]


def same(stored: object, user_id: str) -> bool:
    """Whether an id column's value (whatever form the driver gives) is this id."""
    return uuid.UUID(str(stored)) == uuid.UUID(user_id)


def utc(text: str) -> datetime:
    """A `...Z` datetime of a response."""
    assert text.endswith("Z"), text
    return datetime.fromisoformat(text)


def started(dept: Department, minutes_ago: int = 30, **fields: Any) -> str:
    """An event that started `minutes_ago` and lasts two hours."""
    return around_now(dept, -timedelta(minutes=minutes_ago), **fields)


def manage(dept: Department, path: str, body: dict[str, Any] | None = None) -> Any:
    """A POST by a new events manager; the response."""
    with dept.signed_in(manager(dept)) as client:
        return client.post(path, json=body or {})
