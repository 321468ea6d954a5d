"""The training bridge on the embedded SQLite database too (`make run`'s default), where the
record's create-if-missing is SQLite's `ON CONFLICT DO NOTHING` rather than MariaDB's upsert: a
session and its event, a manager's check-in and an added attendee each making one record
however often delivered, finalized minutes, and the session's finalize."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from api.consumers import training_consumers
from shared.db.types import utc_now
from shared.events.envelope import Envelope, decode
from shared.models import OutboxMessage
from tests.api.events_support import EVENTS, iso
from tests.api.training_bridge_support import CHECKED_IN, FINALIZED, SESSIONS, finalize_path
from tests.api.training_support import RECORDS
from tests.support.inprocess import InProcess

pytestmark = pytest.mark.parametrize("database_kind", ["sqlite"])


async def _envelopes(inprocess: InProcess, subject: str) -> list[Envelope]:
    async with inprocess.seed() as session:
        rows = await session.scalars(
            select(OutboxMessage.payload)
            .where(OutboxMessage.subject == subject)
            .order_by(OutboxMessage.created_at)
        )
        return [decode(bytes(payload)) for payload in rows]


async def _deliver(inprocess: InProcess, subject: str) -> None:
    (spec,) = training_consumers()
    for envelope in await _envelopes(inprocess, subject):
        async with inprocess.seed() as session:
            await spec.handler(envelope, session)


async def test_check_ins_make_one_record_each_and_finalize_completes_them(
    inprocess: InProcess,
) -> None:
    organization_id, admin = await inprocess.department()
    _, officer = await inprocess.member(organization_id, "training_officer")
    checked, _ = await inprocess.member(organization_id, "member")
    added, _ = await inprocess.member(organization_id, "member")
    start = utc_now().replace(second=0, microsecond=0) - timedelta(minutes=30)
    body = {
        "title": "Ladder drill",
        "start_datetime": iso(start),
        "end_datetime": iso(start + timedelta(hours=2)),
        "course_name": "Ladders",
        "credit_hours": 2.0,
    }
    created = await inprocess.api.post(SESSIONS, headers=officer, json=body)
    assert created.status_code == 201, created.text
    session = created.json()
    base = f"{EVENTS}/{session['event_id']}"
    by_manager = await inprocess.api.post(
        f"{base}/check-in", headers=admin, json={"user_id": str(checked.id)}
    )
    assert by_manager.status_code == 200, by_manager.text
    by_adding = await inprocess.api.post(
        f"{base}/add-attendee", headers=admin, json={"user_id": str(added.id), "checked_in": True}
    )
    assert by_adding.status_code == 200, by_adding.text

    await _deliver(inprocess, CHECKED_IN)
    await _deliver(inprocess, CHECKED_IN)
    for member in (checked, added):
        records = await inprocess.api.get(
            RECORDS, headers=officer, params={"user_id": str(member.id)}
        )
        assert [row["status"] for row in records.json()] == ["in_progress"]

    ended = await inprocess.api.post(
        f"{base}/record-times", headers=admin, json={"actual_end_time": iso(utc_now())}
    )
    assert ended.status_code == 200, ended.text
    await _deliver(inprocess, FINALIZED)
    records = await inprocess.api.get(RECORDS, headers=officer, params={"user_id": str(added.id)})
    assert 0.5 <= records.json()[0]["hours_completed"] < 0.6  # credited from the start

    finalized = await inprocess.api.post(finalize_path(session["id"]), headers=officer)
    assert finalized.status_code == 200, finalized.text
    assert finalized.json()["completed_count"] == 2
    for member in (checked, added):
        records = await inprocess.api.get(
            RECORDS, headers=officer, params={"user_id": str(member.id)}
        )
        (record,) = records.json()
        # Neither checked out: the session's credit hours (§7).
        assert (record["status"], record["hours_completed"]) == ("completed", 2.0)
