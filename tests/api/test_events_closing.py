"""Closing an event's attendance and its reports in-process (spec events.md §3 #21 to #25,
§4.5, §4.7, §6, §8.8): record-times, finalize (idempotent), end-event with the minutes of
those it checks out [fix], the stats and the check-in monitor."""

from datetime import timedelta
from typing import Any

import pytest

from shared.models import Organization, RSVPStatus
from shared.scheduled.daily import department_zone
from tests.api.department import Department
from tests.api.events_attendance_support import (
    UNKNOWN,
    at,
    manage,
    now,
    person,
    row_of,
    started,
    utc,
)
from tests.api.events_support import (
    EVENTS,
    audit_types,
    manager,
    org_id,
    outbox_data,
    seed_event,
    seed_rsvp,
)


@pytest.fixture
def dept(department: Department) -> Department:
    return department


class TestClosing:
    def test_finalize_gives_minutes_once_and_marks_the_event(self, dept: Department) -> None:
        event_id = started(dept, minutes_ago=200)  # ended 80 minutes ago
        start = (now() - timedelta(minutes=200)).replace(microsecond=0)
        early, late, out, over = (person(dept)[0] for _ in range(4))
        seed_rsvp(
            dept, event_id, early, checked_in=True, checked_in_at=start - timedelta(minutes=10)
        )
        seed_rsvp(
            dept, event_id, late, checked_in=True, checked_in_at=start + timedelta(seconds=90)
        )
        seed_rsvp(
            dept,
            event_id,
            out,
            checked_in=True,
            checked_in_at=start,
            checked_out_at=start + timedelta(minutes=30),
            attendance_duration_minutes=30,
        )
        seed_rsvp(
            dept, event_id, over, checked_in=True, checked_in_at=start, override_duration_minutes=7
        )
        first = manage(dept, at(event_id, "finalize-attendance"))
        second = manage(dept, at(event_id, "finalize-attendance"))
        assert first.status_code == 200, first.text
        assert (first.json(), second.json()) == ({"updated_count": 2}, {"updated_count": 0})
        minutes = {
            user: (row_of(dept, event_id, user) or {})["attendance_duration_minutes"]
            for user in (early, late, out, over)
        }
        # Early check-ins are not clamped (§6); minutes are floored (§8.8).
        assert minutes == {early: 130, late: 118, out: 30, over: None}
        with dept.signed_in(manager(dept)) as client:
            event = client.get(f"{EVENTS}/{event_id}").json()
        assert event["custom_fields"] == {"attendance_finalized": True}
        finalized = outbox_data(dept, "logbook.api.event.attendance_finalized")
        assert len(finalized) == 2
        rows = {row["user_id"]: row for row in finalized[0]["attendees"]}
        assert {user: row["minutes"] for user, row in rows.items()} == {
            early: 130,
            late: 118,
            out: 30,
            over: 7,
        }
        assert set(rows[out]) == {"user_id", "rsvp_id", "check_in", "check_out", "minutes"}
        assert finalized[0]["event_type"] == "business_meeting"
        zone = department_zone(organization_timezone(dept))  # the date there, not in UTC
        assert finalized[0]["local_date"] == start.astimezone(zone).date().isoformat()

    def test_record_times_checks_the_pair_and_an_end_finalizes(self, dept: Department) -> None:
        event_id = started(dept, minutes_ago=60)
        user_id, _ = person(dept)
        seed_rsvp(
            dept, event_id, user_id, checked_in=True, checked_in_at=now() - timedelta(minutes=50)
        )
        start = now() - timedelta(minutes=55)
        with dept.signed_in(manager(dept)) as client:
            only_start = client.post(
                at(event_id, "record-times"), json={"actual_start_time": start.isoformat()}
            )
            backwards = client.post(
                at(event_id, "record-times"),
                json={"actual_end_time": (start - timedelta(minutes=1)).isoformat()},
            )
            ended = client.post(
                at(event_id, "record-times"),
                json={"actual_end_time": (start + timedelta(minutes=40)).isoformat()},
            )
        assert only_start.status_code == 200, only_start.text
        assert only_start.json()["actual_end_time"] is None
        assert only_start.json()["custom_fields"] is None  # no end: not finalized
        assert backwards.status_code == 400, backwards.text
        assert ended.status_code == 200, ended.text
        assert ended.json()["custom_fields"] == {"attendance_finalized": True}
        assert ended.json()["actual_end_time"].endswith("Z")
        # 50 minutes ago to 15 minutes ago.
        assert (row_of(dept, event_id, user_id) or {})["attendance_duration_minutes"] == 35

    def test_end_event_checks_everyone_out_with_minutes(self, dept: Department) -> None:
        event_id = started(dept, minutes_ago=45)
        present, gone = person(dept)[0], person(dept)[0]
        seed_rsvp(
            dept, event_id, present, checked_in=True, checked_in_at=now() - timedelta(minutes=40)
        )
        seed_rsvp(
            dept,
            event_id,
            gone,
            checked_in=True,
            checked_in_at=now() - timedelta(minutes=40),
            checked_out_at=now() - timedelta(minutes=20),
            attendance_duration_minutes=20,
        )
        answer = manage(dept, at(event_id, "end-event"))
        again = manage(dept, at(event_id, "end-event"))
        assert answer.status_code == 200, answer.text
        assert answer.json()["checked_out_count"] == 1
        assert utc(answer.json()["actual_end_time"]) <= now()
        assert again.status_code == 400, again.text
        row = row_of(dept, event_id, present) or {}
        assert row["checked_out_at"] is not None
        assert row["attendance_duration_minutes"] == 40  # [fix]: not left null
        assert (row_of(dept, event_id, gone) or {})["attendance_duration_minutes"] == 20
        outs = outbox_data(dept, "logbook.api.event.checked_out")
        assert [(o["user_id"], o["method"]) for o in outs] == [(present, "manager")]
        ended = outbox_data(dept, "logbook.api.event.ended")
        assert [e["checked_out_count"] for e in ended] == [1]
        assert len(outbox_data(dept, "logbook.api.event.attendance_finalized")) == 1
        with dept.signed_in(manager(dept)) as client:
            event = client.get(f"{EVENTS}/{event_id}").json()
        assert event["actual_start_time"] is not None
        assert event["actual_end_time"] is not None
        assert "event_ended" in audit_types(dept, event_id)

    def test_times_outside_the_calendar_are_422(self, dept: Department) -> None:
        event_id = started(dept)
        for body in (
            {"actual_start_time": "1899-12-31T23:59:59Z"},
            {"actual_end_time": "2200-01-01T00:00:00Z"},
        ):
            assert manage(dept, at(event_id, "record-times"), body).status_code == 422

    def test_cancelled_events_cannot_be_ended_or_timed(self, dept: Department) -> None:
        event_id = started(dept, is_cancelled=True)
        assert manage(dept, at(event_id, "end-event")).status_code == 400
        assert manage(dept, at(event_id, "record-times"), {}).status_code == 400

    @pytest.mark.parametrize("action", ["end-event", "finalize-attendance", "record-times"])
    def test_unknown_and_foreign_events_are_404(self, dept: Department, action: str) -> None:
        foreign = started(dept, organization_id=dept.second_organization())
        assert manage(dept, at(UNKNOWN, action)).status_code == 404
        assert manage(dept, at(foreign, action)).status_code == 404


class TestReports:
    def test_stats_count_answers_and_going_rows(self, dept: Department) -> None:
        event_id = seed_event(dept, max_attendees=3)
        for status, guests, checked in (
            (RSVPStatus.GOING, 2, True),
            (RSVPStatus.GOING, 1, False),
            (RSVPStatus.MAYBE, 4, True),
            (RSVPStatus.NOT_GOING, 0, False),
            (RSVPStatus.WAITLISTED, 0, False),
        ):
            seed_rsvp(
                dept,
                event_id,
                person(dept)[0],
                status=status,
                guest_count=guests,
                checked_in=checked,
            )
        with dept.signed_in(manager(dept)) as client:
            answer = client.get(at(event_id, "stats"))
        assert answer.status_code == 200, answer.text
        assert answer.json() == {
            "event_id": event_id,
            "total_rsvps": 4,
            "going_count": 2,
            "not_going_count": 1,
            "maybe_count": 1,
            "checked_in_count": 1,
            "total_guests": 3,
            "capacity_percentage": 66.67,
        }

    def test_monitor(self, dept: Department) -> None:
        event_id = started(dept, minutes_ago=10)
        start = (now() - timedelta(minutes=10)).replace(microsecond=0)
        first, _ = person(dept, "Fay", "First")
        second, _ = person(dept, "Sid", "Second")
        seed_rsvp(
            dept, event_id, first, checked_in=True, checked_in_at=start - timedelta(minutes=20)
        )
        seed_rsvp(
            dept,
            event_id,
            second,
            status=RSVPStatus.MAYBE,
            checked_in=True,
            checked_in_at=start + timedelta(minutes=5),
        )
        seed_rsvp(dept, event_id, person(dept)[0], status=RSVPStatus.WAITLISTED)
        with dept.signed_in(manager(dept)) as client:
            answer = client.get(at(event_id, "check-in-monitoring"))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["is_check_in_active"] is True
        assert (body["total_rsvps"], body["total_checked_in"]) == (3, 2)
        active = body["total_eligible_members"]
        assert body["check_in_rate"] == round(2 / active * 100, 2)
        assert [c["user_name"] for c in body["recent_check_ins"]] == ["Sid Second", "Fay First"]
        assert body["recent_check_ins"][0]["rsvp_status"] == "maybe"
        assert body["avg_check_in_time_minutes"] == 7.5  # (20 + -5) / 2
        assert utc(body["last_check_in_at"]) == start + timedelta(minutes=5)
        assert utc(body["check_in_window_start"]) == start - timedelta(minutes=60)

    def test_an_empty_monitor(self, dept: Department) -> None:
        event_id = seed_event(dept)
        with dept.signed_in(manager(dept)) as client:
            body = client.get(at(event_id, "check-in-monitoring")).json()
        assert (body["avg_check_in_time_minutes"], body["last_check_in_at"]) == (None, None)
        assert (body["recent_check_ins"], body["is_check_in_active"]) == ([], False)


def organization_timezone(dept: Department) -> str | None:
    async def read(session: Any) -> str | None:
        organization = await session.get(Organization, org_id(dept))
        return organization.timezone if organization else None

    return dept.run(read)
