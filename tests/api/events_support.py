"""What the events tests share: paths, seeded rows, times, and the members who call."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models import Event, EventRSVP, Location, Organization
from tests.api.department import Department
from tests.support import factories

EVENTS = "/api/v1/events"
RECURRING = f"{EVENTS}/recurring"
VISIBLE_TYPES = f"{EVENTS}/visible-event-types"


def org_id(dept: Department, organization_id: str | None = None) -> uuid.UUID:
    return uuid.UUID(organization_id or dept.organization_id)


def iso(moment: datetime) -> str:
    """A UTC instant as the frontend sends it (`...Z`)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def in_days(days: float, hour: int = 18) -> datetime:
    """A whole hour `days` from today, UTC."""
    day = datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    return day + timedelta(days=days)


def seed_event(dept: Department, organization_id: str | None = None, **fields: Any) -> str:
    """An event written directly (not through the api); its id."""

    async def run(session: AsyncSession) -> Event:
        return await factories.event(session, org_id(dept, organization_id), **fields)

    return str(dept.run(run).id)


def seed_rsvp(dept: Department, event_id: str, user_id: str, **fields: Any) -> str:
    """The member's RSVP to the event, written directly; its id."""

    async def run(session: AsyncSession) -> EventRSVP:
        event = await session.get(Event, uuid.UUID(event_id))
        assert event is not None
        return await factories.event_rsvp(session, event, uuid.UUID(user_id), **fields)

    return str(dept.run(run).id)


def seed_location(dept: Department, organization_id: str | None = None, **fields: Any) -> str:
    """A location of the organization; its id."""

    async def run(session: AsyncSession) -> Location:
        return await factories.location(session, org_id(dept, organization_id), **fields)

    return str(dept.run(run).id)


def set_organization(dept: Department, **fields: Any) -> None:
    """Change the department's row through its model (time zone, settings)."""

    async def run(session: AsyncSession) -> None:
        organization = await session.get(Organization, org_id(dept))
        assert organization is not None
        for key, value in fields.items():
            setattr(organization, key, value)
        await session.flush()

    dept.run(run)


def manager(dept: Department) -> str:
    """A member whose only extra right is `events.manage`; their username."""
    user_id, username = dept.add_member("member")
    dept.assign(user_id, dept.add_role(["events.manage"]))
    return username


def event_body(**fields: Any) -> dict[str, Any]:
    """A valid create body: a business meeting a week out, two hours long."""
    start = in_days(7)
    return {
        "title": f"Meeting {uuid.uuid4().hex[:8]}",
        "event_type": "business_meeting",
        "start_datetime": iso(start),
        "end_datetime": iso(start + timedelta(hours=2)),
        **fields,
    }


def create_event(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    """An event created through the api (201 asserted)."""
    response = client.post(EVENTS, json=event_body(**fields))
    assert response.status_code == 201, response.text
    return dict(response.json())


def audit_types(dept: Department, subject: str) -> list[str]:
    """Event types of the organization's events audit entries that mention `subject`."""
    rows = dept.query(
        "SELECT event_type, event_data FROM audit_logs WHERE organization_id = %s"
        " AND event_category = 'events' ORDER BY id",
        org_id(dept).hex,
    )
    return [row["event_type"] for row in rows if subject in str(row["event_data"])]


def outbox_data(dept: Department, subject: str) -> list[dict[str, Any]]:
    """The `data` of the outbox rows of one subject, oldest first."""
    rows = dept.query("SELECT payload FROM outbox WHERE subject = %s ORDER BY created_at", subject)
    payloads = [msgspec.json.decode(bytes(row["payload"])) for row in rows]
    return [
        payload["data"]
        for payload in payloads
        if payload.get("organization_id") == dept.organization_id
    ]
