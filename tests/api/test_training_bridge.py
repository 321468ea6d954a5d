"""Training sessions and the event bridge (spec training.md §7, events.md §6, issue 14 item 4):
a session and its training event made together, every check-in path making one in-progress
record per member through training's consumer, finalized minutes giving hours, and the
session's finalize completing the records with §7's hours.

The calendar's changes are made through the api; the events they wrote to the outbox are handed
to training's consumer as a JetStream delivery would hand them, redeliveries included.
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from msgspec.structs import replace

from shared.models import TrainingType
from tests.api.department import Department
from tests.api.events_support import (
    EVENTS,
    create_event,
    iso,
    manager,
    outbox_data,
    seed_rsvp,
)
from tests.api.training_bridge_support import (
    CHECKED_IN,
    FINALIZED,
    SESSIONS,
    another_check_in,
    create_session,
    deliver,
    deliver_all,
    event_of,
    finalize_path,
    open_session,
    records_of,
    session_body,
    this_minute,
)
from tests.api.training_periods_support import with_permissions
from tests.api.training_support import RECORDS, audit_types, officer, outbox_subjects, seed_course

NEW_YORK = ZoneInfo("America/New_York")  # a new department's zone


@pytest.fixture
def dept(department: Department) -> Department:
    return department


def local_date(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(NEW_YORK).date().isoformat()


def only_record(dept: Department, user_id: str) -> dict[str, Any]:
    (record,) = records_of(dept, user_id)
    return record


class TestCreate:
    def test_a_session_and_its_training_event_are_made_together(self, dept: Department) -> None:
        course = seed_course(
            dept,
            name="Pump Operator",
            training_type=TrainingType.CERTIFICATION,
            credit_hours=6.0,
            instructor="Capt. Lee",
            expiration_months=24,
        )
        start = this_minute() + timedelta(days=3)
        body = session_body(
            start,
            start + timedelta(hours=3),
            course_id=course,
            course_name=None,
            credit_hours=None,
            location="Station 2 bay",
            issues_certification=True,
            issuing_agency="State Fire Academy",
        )
        with dept.signed_in(officer(dept)) as client:
            response = client.post(SESSIONS, json=body)
        assert response.status_code == 201, response.text
        session = response.json()
        assert {key: session[key] for key in COURSE_FACTS} == {
            "course_id": course,
            "course_name": "Pump Operator",
            "training_type": "certification",
            "credit_hours": 6.0,
            "instructor": "Capt. Lee",
            "expiration_months": 24,
            "issuing_agency": "State Fire Academy",
            "auto_create_records": True,
            "finalized_at": None,
        }
        event = event_of(dept, session["event_id"])
        assert (event["event_type"], event["title"], event["location"]) == (
            "training",
            body["title"],
            "Station 2 bay",
        )
        assert (event["start_datetime"], event["end_datetime"]) == (
            body["start_datetime"],
            body["end_datetime"],
        )
        assert audit_types(dept, session["id"]) == ["training_session_created"]
        (announced,) = [
            data
            for data in outbox_data(dept, "logbook.api.event.created")
            if data["event_id"] == session["event_id"]
        ]
        assert (announced["event_type"], announced["is_draft"]) == ("training", False)

    def test_the_event_of_a_session_cannot_be_deleted(self, dept: Department) -> None:
        session = open_session(dept)
        with dept.signed_in(manager(dept)) as client:
            response = client.delete(f"{EVENTS}/{session['event_id']}")
        assert response.status_code == 409, response.text
        assert event_of(dept, session["event_id"])["event_type"] == "training"

    def test_a_free_text_session_is_continuing_education_unless_told(
        self, dept: Department
    ) -> None:
        session = open_session(dept)
        assert (session["course_id"], session["course_name"]) == (None, "Hose Operations")
        assert (session["training_type"], session["credit_hours"]) == ("continuing_education", 2.0)
        typed = open_session(dept, training_type="Refresher", credit_hours=None)
        assert (typed["training_type"], typed["credit_hours"]) == ("refresher", None)

    def test_another_organizations_course_or_category_is_404_and_makes_no_event(
        self, dept: Department
    ) -> None:
        other_org = dept.second_organization()
        course = seed_course(dept, organization_id=other_org)
        start = this_minute() + timedelta(days=1)
        with dept.signed_in(officer(dept)) as client:
            for field, value in (("course_id", course), ("category_id", course)):
                body = session_body(start, start + timedelta(hours=1), **{field: value})
                assert client.post(SESSIONS, json=body).status_code == 404
            listed = client.get(EVENTS, params={"event_type": "training"}).json()
        assert listed == []

    @pytest.mark.parametrize(
        "fields",
        [
            {"course_name": None},
            {"title": " "},
            {"end_datetime": "2030-01-01T09:00:00Z", "start_datetime": "2030-01-01T09:00:00Z"},
            {"start_datetime": "1899-12-31T23:00:00Z"},
            {"credit_hours": -1},
            {"expiration_months": 1201},
            {"training_type": "lecture"},
        ],
    )
    def test_malformed_bodies_are_422(self, dept: Department, fields: dict[str, Any]) -> None:
        start = this_minute() + timedelta(days=1)
        body = {**session_body(start, start + timedelta(hours=1)), **fields}
        with dept.signed_in(officer(dept)) as client:
            assert client.post(SESSIONS, json=body).status_code == 422

    @pytest.mark.parametrize("permissions", [(), ("events.manage",), ("training.view_all",)])
    def test_creating_needs_training_manage(
        self, dept: Department, permissions: tuple[str, ...]
    ) -> None:
        start = this_minute() + timedelta(days=1)
        with dept.signed_in(with_permissions(dept, *permissions)[1]) as client:
            response = client.post(SESSIONS, json=session_body(start, start + timedelta(hours=1)))
        assert response.status_code == 403


COURSE_FACTS = (
    "course_id",
    "course_name",
    "training_type",
    "credit_hours",
    "instructor",
    "expiration_months",
    "issuing_agency",
    "auto_create_records",
    "finalized_at",
)


RECORD_FACTS = (
    "status",
    "hours_completed",
    "course_name",
    "training_type",
    "credit_hours",
    "instructor",
    "issuing_agency",
    "scheduled_date",
    "completion_date",
    "created_by",
)


class TestCheckIns:
    def test_every_check_in_path_makes_one_in_progress_record(self, dept: Department) -> None:
        session = open_session(
            dept, instructor="Lt. Ames", issues_certification=True, issuing_agency="NFPA"
        )
        event_id = session["event_id"]
        (by_self, self_name), by_manager, added = (dept.add_member("member") for _ in range(3))
        with dept.signed_in(self_name) as client:
            assert client.post(f"{EVENTS}/{event_id}/self-check-in").status_code == 200
        with dept.signed_in(manager(dept)) as client:
            checked = client.post(f"{EVENTS}/{event_id}/check-in", json={"user_id": by_manager[0]})
            assert checked.status_code == 200, checked.text
            body = {"user_id": added[0], "checked_in": True}
            assert client.post(f"{EVENTS}/{event_id}/add-attendee", json=body).status_code == 200

        deliver_all(dept, CHECKED_IN)
        deliver_all(dept, CHECKED_IN)  # redelivered: nothing more

        day = local_date(event_of(dept, event_id)["start_datetime"])
        for user_id in (by_self, by_manager[0], added[0]):
            record = only_record(dept, user_id)
            assert {key: record[key] for key in RECORD_FACTS} == {
                "status": "in_progress",
                "hours_completed": 0.0,
                "course_name": "Hose Operations",
                "training_type": "continuing_education",
                "credit_hours": 2.0,
                "instructor": "Lt. Ames",
                "issuing_agency": "NFPA",
                "scheduled_date": day,
                "completion_date": None,
                "created_by": user_id,
            }
            assert outbox_subjects(dept, record["id"]) == ["logbook.api.training.record_created"]

    def test_a_second_check_in_event_of_a_member_changes_nothing(self, dept: Department) -> None:
        session = open_session(dept)
        user_id, _ = dept.add_member("member")
        with dept.signed_in(manager(dept)) as client:
            path = f"{EVENTS}/{session['event_id']}/check-in"
            assert client.post(path, json={"user_id": user_id}).status_code == 200
        (first,) = deliver_all(dept, CHECKED_IN)
        deliver(
            dept, another_check_in(dept, session["event_id"], user_id, first.data["local_date"])
        )

        record = only_record(dept, user_id)
        assert outbox_subjects(dept, record["id"]) == ["logbook.api.training.record_created"]

    def test_another_organizations_or_a_malformed_event_makes_nothing(
        self, dept: Department
    ) -> None:
        session = open_session(dept)
        user_id, _ = dept.add_member("member")
        day = local_date(event_of(dept, session["event_id"])["start_datetime"])
        mark = another_check_in(dept, session["event_id"], user_id, day)
        deliver(dept, replace(mark, organization_id=uuid.UUID(dept.second_organization())))
        deliver(dept, replace(mark, data={**mark.data, "local_date": "not a date"}))
        deliver(dept, replace(mark, organization_id=None))
        assert records_of(dept, user_id) == []
        deliver(dept, mark)
        assert [record["status"] for record in records_of(dept, user_id)] == ["in_progress"]

    def test_only_a_sessions_event_that_creates_records_makes_them(self, dept: Department) -> None:
        quiet = open_session(dept, auto_create_records=False)
        start = this_minute() - timedelta(minutes=10)
        user_id, _ = dept.add_member("member")
        with dept.signed_in(manager(dept)) as client:
            meeting = create_event(client, start_datetime=iso(start))
            sessionless = create_event(client, event_type="training", start_datetime=iso(start))
            for event_id in (quiet["event_id"], meeting["id"], sessionless["id"]):
                checked = client.post(f"{EVENTS}/{event_id}/check-in", json={"user_id": user_id})
                assert checked.status_code == 200, checked.text

        assert len(deliver_all(dept, CHECKED_IN)) == 3
        assert records_of(dept, user_id) == []

    def test_finalized_minutes_fill_hours_only_where_there_are_none(self, dept: Department) -> None:
        session = open_session(dept)
        event_id = session["event_id"]
        overridden, kept, late = (dept.add_member("member")[0] for _ in range(3))
        with dept.signed_in(manager(dept)) as client:
            for user_id in (overridden, kept):
                path = f"{EVENTS}/{event_id}/check-in"
                assert client.post(path, json={"user_id": user_id}).status_code == 200
            path = f"{EVENTS}/{event_id}/rsvps/{overridden}/override"
            assert client.patch(path, json={"override_duration_minutes": 90}).status_code == 200
        deliver_all(dept, CHECKED_IN)
        kept_record = only_record(dept, kept)
        with dept.signed_in(officer(dept)) as client:
            edit = client.patch(f"{RECORDS}/{kept_record['id']}", json={"hours_completed": 4.0})
            assert edit.status_code == 200, edit.text
        # The last member's check-in is not delivered before the finalized minutes are.
        with dept.signed_in(manager(dept)) as client:
            body = {"user_id": late, "checked_in": True}
            assert client.post(f"{EVENTS}/{event_id}/add-attendee", json=body).status_code == 200
            path = f"{EVENTS}/{event_id}/rsvps/{late}/override"
            assert client.patch(path, json={"override_duration_minutes": 45}).status_code == 200
            finalize = client.post(f"{EVENTS}/{event_id}/finalize-attendance")
            assert finalize.status_code == 200, finalize.text

        deliver_all(dept, FINALIZED)
        deliver_all(dept, FINALIZED)

        members = (overridden, kept, late)
        hours = {user_id: only_record(dept, user_id)["hours_completed"] for user_id in members}
        assert hours == {overridden: 1.5, kept: 4.0, late: 0.75}
        record = only_record(dept, overridden)
        assert outbox_subjects(dept, record["id"]) == [
            "logbook.api.training.record_created",
            "logbook.api.training.record_updated",
        ]


class TestFinalize:
    def test_self_and_manager_check_ins_complete_once_with_the_hours_of_section_7(
        self, dept: Department
    ) -> None:
        # Issue 14's acceptance: a member self-checks-in and a manager adds another; both
        # have one in-progress record; after the session's finalize both are completed with
        # §7's hours, and a redelivered event changes nothing.
        session = open_session(dept)
        event_id = session["event_id"]
        (by_self, self_name), (added, _) = dept.add_member("member"), dept.add_member("member")
        with dept.signed_in(self_name) as client:
            assert client.post(f"{EVENTS}/{event_id}/self-check-in").status_code == 200
        with dept.signed_in(manager(dept)) as client:
            body = {"user_id": added, "checked_in": True}
            assert client.post(f"{EVENTS}/{event_id}/add-attendee", json=body).status_code == 200
            path = f"{EVENTS}/{event_id}/rsvps/{by_self}/override"
            assert client.patch(path, json={"override_duration_minutes": 90}).status_code == 200
        deliver_all(dept, CHECKED_IN)
        assert [only_record(dept, user)["status"] for user in (by_self, added)] == [
            "in_progress",
            "in_progress",
        ]
        with dept.signed_in(manager(dept)) as client:
            ended = client.post(
                f"{EVENTS}/{event_id}/record-times", json={"actual_end_time": iso(now())}
            )
            assert ended.status_code == 200, ended.text
        deliver_all(dept, FINALIZED)
        # The added member was credited from the start: half an hour until the recorded end.
        assert 0.5 <= only_record(dept, added)["hours_completed"] < 0.6

        with dept.signed_in(officer(dept)) as client:
            response = client.post(finalize_path(session["id"]))
        assert response.status_code == 200, response.text
        day = local_date(event_of(dept, event_id)["start_datetime"])
        result = response.json()
        assert (result["completed_count"], result["completion_date"]) == (2, day)

        deliver_all(dept, CHECKED_IN, FINALIZED)  # redelivered: nothing changes
        completed = {user: only_record(dept, user) for user in (by_self, added)}
        assert sorted(result["record_ids"]) == sorted(r["id"] for r in completed.values())
        # The override's minutes; the added member never checked out: the credit hours,
        # overwriting what the event's finalize stored (§7).
        assert {user: r["hours_completed"] for user, r in completed.items()} == {
            by_self: 1.5,
            added: 2.0,
        }
        for record in completed.values():
            assert (record["status"], record["completion_date"]) == ("completed", day)
            assert record["expiration_date"] is None
            assert (
                outbox_subjects(dept, record["id"]).count("logbook.api.training.record_completed")
                == 1
            )
        assert audit_types(dept, session["id"]) == [
            "training_session_created",
            "training_session_finalized",
        ]

    def test_hours_follow_the_priority_and_a_certifying_session_sets_its_expiry(
        self, dept: Department
    ) -> None:
        # 20:30 on 10 March 2026 in New York is already 11 March in UTC: the event's date is
        # the department's (events.md §7 [fix]).
        start = datetime(2026, 3, 11, 0, 30, tzinfo=UTC)
        session = create_session(
            dept,
            start,
            start + timedelta(hours=3),
            credit_hours=3.0,
            issues_certification=True,
            expiration_months=24,
            issuing_agency="State Fire Academy",
        )
        event_id = session["event_id"]
        rows = {
            "override minutes": ({"override_duration_minutes": 90}, 1.5),
            "override times": (
                {
                    "override_check_in_at": start,
                    "override_check_out_at": start + timedelta(minutes=45),
                },
                0.75,
            ),
            "check-in and out": (
                {"checked_in_at": start, "checked_out_at": start + timedelta(minutes=80)},
                1.33,
            ),
            "never checked out": ({"checked_in_at": start}, 3.0),
        }
        members = {}
        for name, (fields, _) in rows.items():
            members[name] = dept.add_member("member")[0]
            seed_rsvp(dept, event_id, members[name], checked_in=True, **fields)
        absent = dept.add_member("member")[0]
        seed_rsvp(dept, event_id, absent)

        with dept.signed_in(officer(dept)) as client:
            response = client.post(finalize_path(session["id"]))
        assert response.status_code == 200, response.text
        assert response.json()["completion_date"] == "2026-03-10"

        for name, (_, hours) in rows.items():
            record = only_record(dept, members[name])
            assert (name, record["hours_completed"]) == (name, hours)
            assert (record["status"], record["completion_date"]) == ("completed", "2026-03-10")
            assert record["expiration_date"] == "2028-03-10"
            assert record["issuing_agency"] == "State Fire Academy"
        assert records_of(dept, absent) == []

    def test_a_voided_record_stays_voided(self, dept: Department) -> None:
        start = this_minute() - timedelta(hours=3)
        session = create_session(dept, start, start + timedelta(hours=2))
        voided, present = dept.add_member("member")[0], dept.add_member("member")[0]
        for user_id in (voided, present):
            seed_rsvp(dept, session["event_id"], user_id, checked_in=True, checked_in_at=start)
        day = local_date(iso(start))
        deliver(dept, another_check_in(dept, session["event_id"], voided, day))
        with dept.signed_in(officer(dept)) as client:
            record = only_record(dept, voided)
            assert client.delete(f"{RECORDS}/{record['id']}").status_code == 204
            response = client.post(finalize_path(session["id"]))
        assert response.status_code == 200, response.text
        assert response.json()["completed_count"] == 1
        assert only_record(dept, voided)["status"] == "cancelled"
        assert only_record(dept, present)["status"] == "completed"

    def test_refused_before_the_end_with_nobody_in_when_cancelled_and_twice(
        self, dept: Department
    ) -> None:
        past = this_minute() - timedelta(hours=3)
        running = open_session(dept)
        empty = create_session(dept, past, past + timedelta(hours=1))
        cancelled = create_session(dept, past, past + timedelta(hours=1))
        done = create_session(dept, past, past + timedelta(hours=1))
        member = dept.add_member("member")[0]
        for session in (running, cancelled, done):
            seed_rsvp(dept, session["event_id"], member, checked_in=True, checked_in_at=past)
        with dept.signed_in(manager(dept)) as client:
            reason = {"cancellation_reason": "The instructor is ill today"}
            cancel = client.post(f"{EVENTS}/{cancelled['event_id']}/cancel", json=reason)
            assert cancel.status_code == 200, cancel.text
        with dept.signed_in(officer(dept)) as client:
            assert client.post(finalize_path(done["id"])).status_code == 200
            answers = {
                name: client.post(finalize_path(session["id"])).json()["detail"]
                for name, session in (
                    ("running", running),
                    ("empty", empty),
                    ("cancelled", cancelled),
                    ("done", done),
                )
            }
        assert answers == {
            "running": "The session's event has not ended yet",
            "empty": "Nobody checked in to the session",
            "cancelled": "The session's event is cancelled",
            "done": "Training session is already finalized",
        }
        assert only_record(dept, member)["status"] == "completed"

    def test_unknown_and_foreign_sessions_are_404_and_members_403(self, dept: Department) -> None:
        other_org = dept.second_organization()
        _, other_officer = dept.add_member("training_officer", organization_id=other_org)
        past = this_minute() - timedelta(hours=3)
        with dept.signed_in(other_officer) as client:
            body = session_body(past, past + timedelta(hours=1))
            foreign = client.post(SESSIONS, json=body).json()
        mine = create_session(dept, past, past + timedelta(hours=1))
        with dept.signed_in(officer(dept)) as client:
            for session_id in (foreign["id"], "8d3f6a52-0000-4000-8000-000000000000"):
                response = client.post(finalize_path(session_id))
                assert (response.status_code, response.json()["detail"]) == (
                    404,
                    "Training session not found",
                )
        for permissions in ((), ("events.manage",)):
            with dept.signed_in(with_permissions(dept, *permissions)[1]) as client:
                assert client.post(finalize_path(mine["id"])).status_code == 403


def now() -> datetime:
    return datetime.now(UTC)
