"""The calendar on the embedded SQLite database too (`make run`'s default), where locking reads
are plain reads: booking, the list's counts, edits, a series and its cancel and delete."""

import uuid
from datetime import timedelta

import pytest

from shared.models import Event
from tests.api.events_support import EVENTS, RECURRING, event_body, in_days, iso
from tests.support import factories
from tests.support.inprocess import InProcess

pytestmark = pytest.mark.parametrize("database_kind", ["sqlite"])


async def test_the_calendar_flows(inprocess: InProcess) -> None:
    organization_id, admin = await inprocess.department()
    async with inprocess.seed() as session:
        room = await factories.location(session, organization_id, name="Hall")
        member = await factories.member(session, organization_id, ["member"])
    start = in_days(5)
    booked = event_body(
        location_id=str(room.id),
        start_datetime=iso(start),
        end_datetime=iso(start + timedelta(hours=2)),
    )
    created = await inprocess.api.post(EVENTS, headers=admin, json=booked)
    assert created.status_code == 201, created.text
    event = created.json()
    async with inprocess.seed() as session:
        row = await session.get(Event, uuid.UUID(event["id"]))
        assert row is not None
        await factories.event_rsvp(session, row, member.id)
    clash = await inprocess.api.post(EVENTS, headers=admin, json=booked)
    assert clash.status_code == 409
    listed = await inprocess.api.get(EVENTS, headers=admin, params={"end_after": iso(in_days(0))})
    (item,) = [entry for entry in listed.json() if entry["id"] == event["id"]]
    assert (item["location_name"], item["rsvp_count"], item["going_count"]) == ("Hall", 1, 1)
    edited = await inprocess.api.patch(
        f"{EVENTS}/{event['id']}", headers=admin, json={"title": "Moved drill"}
    )
    assert edited.json()["title"] == "Moved drill"

    series = await inprocess.api.post(
        RECURRING,
        headers=admin,
        json=event_body(recurrence_pattern="weekly", recurrence_end_date=iso(in_days(30))),
    )
    assert series.status_code == 201, series.text
    child = series.json()[1]["id"]
    cancelled = await inprocess.api.post(
        f"{EVENTS}/{child}/cancel-series",
        headers=admin,
        json={"cancellation_reason": "Season is over"},
    )
    assert cancelled.json()["cancelled_count"] == len(series.json())
    deleted = await inprocess.api.delete(f"{EVENTS}/{child}/series", headers=admin)
    assert deleted.status_code == 204
    gone = await inprocess.api.delete(f"{EVENTS}/{event['id']}", headers=admin)
    assert gone.status_code == 204
