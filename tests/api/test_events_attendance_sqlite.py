"""RSVPs and attendance on the embedded SQLite database too (`make run`'s default), where locking
reads are plain reads: the waitlist and its promotion, self check-in and out, a manager's
check-in, finalize, the stats and the monitor."""

import uuid
from datetime import timedelta

import pytest

from shared.db.types import utc_now
from shared.models import Event
from tests.api.events_support import EVENTS
from tests.support import factories
from tests.support.inprocess import InProcess

pytestmark = pytest.mark.parametrize("database_kind", ["sqlite"])


async def test_answers_and_attendance(inprocess: InProcess) -> None:
    organization_id, admin = await inprocess.department()
    start = utc_now().replace(microsecond=0) - timedelta(minutes=30)
    async with inprocess.seed() as session:
        event = await factories.event(
            session,
            organization_id,
            start_datetime=start,
            end_datetime=start + timedelta(hours=2),
            requires_rsvp=True,
            max_attendees=1,
        )
        members = [await factories.member(session, organization_id, ["member"]) for _ in range(3)]
        headers = [
            await factories.session_headers(session, inprocess.settings, member)
            for member in members
        ]
    base = f"{EVENTS}/{event.id}"

    answers = [
        (await inprocess.api.post(f"{base}/rsvp", headers=h, json={"status": "going"})).json()
        for h in headers[:2]
    ]
    assert [answer["status"] for answer in answers] == ["going", "waitlisted"]
    left = await inprocess.api.post(
        f"{base}/rsvp", headers=headers[0], json={"status": "not_going"}
    )
    assert left.status_code == 200, left.text
    listed = await inprocess.api.get(f"{base}/rsvps", headers=admin)
    statuses = {row["user_id"]: row["status"] for row in listed.json()}
    assert statuses == {str(members[0].id): "not_going", str(members[1].id): "going"}

    checked = await inprocess.api.post(f"{base}/self-check-in", headers=headers[1])
    again = await inprocess.api.post(f"{base}/self-check-in", headers=headers[1])
    assert checked.status_code == again.status_code == 200, checked.text
    assert again.headers["X-Already-Checked-In"] == "true"
    out = await inprocess.api.post(
        f"{base}/self-check-in", headers=headers[1], json={"is_checkout": True}
    )
    assert out.json()["attendance_duration_minutes"] == 0
    by_manager = await inprocess.api.post(
        f"{base}/check-in", headers=admin, json={"user_id": str(members[2].id)}
    )
    assert by_manager.json()["checked_in"] is True

    finalized = await inprocess.api.post(f"{base}/finalize-attendance", headers=admin)
    assert finalized.json() == {"updated_count": 1}
    stats = (await inprocess.api.get(f"{base}/stats", headers=admin)).json()
    assert (stats["going_count"], stats["checked_in_count"], stats["capacity_percentage"]) == (
        2,
        2,
        200.0,
    )
    monitor = (await inprocess.api.get(f"{base}/check-in-monitoring", headers=admin)).json()
    assert (monitor["total_rsvps"], monitor["total_checked_in"]) == (3, 2)
    async with inprocess.seed() as session:
        row = await session.get(Event, uuid.UUID(str(event.id)))
        assert row is not None
        assert row.custom_fields == {"attendance_finalized": True}
