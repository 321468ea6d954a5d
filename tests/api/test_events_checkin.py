"""The QR page in-process (spec events.md §3 #19, #20, §4.6, §5, §8.5 to §8.7): its data, self
check-in and check-out through every window type with events placed around now, the early
notice, the duplicate's header, the training bridge's event, and a payload that cannot be
forged into another organization's event or another member's check-in."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.department import Department
from tests.api.events_attendance_support import (
    RSVP_FIELDS,
    UNKNOWN,
    around_now,
    at,
    history,
    now,
    person,
    row_of,
    started,
    utc,
)
from tests.api.events_support import (
    audit_types,
    manager,
    outbox_data,
    seed_location,
    seed_rsvp,
    set_organization,
)

ALREADY = "X-Already-Checked-In"
QR_FIELDS = {
    "event_id", "event_name", "event_type", "event_description", "start_datetime",
    "end_datetime", "actual_end_time", "check_in_start", "check_in_end", "is_valid", "location",
    "location_id", "location_name", "require_checkout", "timezone", "allow_guest_check_in",
}  # fmt: skip


@pytest.fixture
def dept(department: Department) -> Department:
    return department


def self_check_in(
    dept: Department, username: str, event_id: str, body: dict[str, Any] | None = None
) -> Any:
    with dept.signed_in(username) as client:
        if body is None:
            return client.post(at(event_id, "self-check-in"))
        return client.post(at(event_id, "self-check-in"), json=body)


class TestQRData:
    def test_the_page_data_in_the_departments_zone(self, dept: Department) -> None:
        set_organization(dept, timezone="America/Chicago")
        location_id = seed_location(dept, name="Station 2")
        event_id = started(
            dept,
            minutes_ago=5,
            location_id=location_id,
            allow_guest_check_in=True,
            require_checkout=True,
            description="Pump drill",
        )
        _, username = person(dept)
        with dept.signed_in(username) as client:
            answer = client.get(at(event_id, "qr-check-in-data"))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert set(body) == QR_FIELDS
        assert (body["timezone"], body["allow_guest_check_in"], body["is_valid"]) == (
            "America/Chicago",
            True,  # [fix]: the event's own flag, not always false
            True,
        )
        assert (body["location_name"], body["event_description"]) == ("Station 2", "Pump drill")
        assert body["require_checkout"] is True
        start = utc(body["start_datetime"])
        assert utc(body["check_in_start"]) == start - timedelta(minutes=60)
        assert body["check_in_end"] == body["end_datetime"]
        assert body["actual_end_time"] is None

    def test_not_valid_inside_the_grace_hour(self, dept: Department) -> None:
        event_id = around_now(dept, timedelta(minutes=90))
        _, username = person(dept)
        with dept.signed_in(username) as client:
            assert client.get(at(event_id, "qr-check-in-data")).json()["is_valid"] is False

    def test_cancelled_is_400_and_unknown_foreign_or_draft_404(self, dept: Department) -> None:
        cancelled = started(dept, is_cancelled=True)
        foreign = started(dept, organization_id=dept.second_organization())
        draft = started(dept, is_draft=True)
        _, username = person(dept)
        with dept.signed_in(username) as client:
            assert client.get(at(cancelled, "qr-check-in-data")).status_code == 400
            for event_id in (foreign, draft, UNKNOWN):
                assert client.get(at(event_id, "qr-check-in-data")).status_code == 404
        with dept.client() as client:
            assert client.get(at(cancelled, "qr-check-in-data")).status_code == 401


class TestSelfCheckIn:
    def test_checks_in_with_a_going_rsvp_whatever_the_capacity(self, dept: Department) -> None:
        event_id = started(dept, max_attendees=1, requires_rsvp=False)
        seed_rsvp(dept, event_id, person(dept)[0])
        user_id, username = person(dept, "Kim", "Park")
        answer = self_check_in(dept, username, event_id)
        assert answer.status_code == 200, answer.text
        assert ALREADY not in answer.headers
        body = answer.json()
        assert set(body) == RSVP_FIELDS
        assert (body["user_id"], body["status"], body["checked_in"]) == (user_id, "going", True)
        assert (body["user_name"], body["notice"]) == ("Kim Park", None)
        assert history(dept, event_id)[-1] == (user_id, None, "going")
        assert audit_types(dept, user_id) == ["event_checkin"]

    def test_a_repeat_is_200_with_the_header_even_after_checking_out(
        self, dept: Department
    ) -> None:
        event_id = started(dept)
        _, username = person(dept)
        first = self_check_in(dept, username, event_id)
        again = self_check_in(dept, username, event_id, {})
        out = self_check_in(dept, username, event_id, {"is_checkout": True})
        after = self_check_in(dept, username, event_id, {"is_checkout": False})
        assert first.status_code == again.status_code == out.status_code == 200, out.text
        assert after.status_code == 200, after.text
        assert (again.headers[ALREADY], after.headers[ALREADY]) == ("true", "true")
        assert again.json()["checked_in_at"] == first.json()["checked_in_at"]
        assert after.json()["checked_out_at"] == out.json()["checked_out_at"]
        assert len(outbox_data(dept, "logbook.api.event.checked_in")) == 1

    def test_early_inside_the_grace_hour_carries_the_notice(self, dept: Department) -> None:
        set_organization(dept, timezone="America/New_York")
        event_id = around_now(dept, timedelta(minutes=90))
        _, username = person(dept)
        answer = self_check_in(dept, username, event_id)
        assert answer.status_code == 200, answer.text
        notice = answer.json()["notice"]
        assert "opens at" in notice
        assert "E" in notice.split("opens at")[1]  # EST or EDT: the department's clock

    @pytest.mark.parametrize(
        ("starts_in", "fields", "detail"),
        [
            (timedelta(hours=3), {}, "not open yet"),  # flexible: grace ends 2 h before
            (timedelta(minutes=10), {"check_in_window_type": "strict"}, "not open yet"),
            (
                timedelta(minutes=90),
                {"check_in_window_type": "window", "check_in_minutes_before": 15},
                "not open yet",
            ),
            (-timedelta(minutes=130), {}, "closed"),  # flexible closes at the end
            (
                -timedelta(minutes=150),
                {"check_in_window_type": "window", "check_in_minutes_after": 15},
                "closed",
            ),
            (-timedelta(minutes=5), {"is_cancelled": True}, "cancelled"),
        ],
    )
    def test_refused_outside_the_window(
        self, dept: Department, starts_in: timedelta, fields: dict[str, Any], detail: str
    ) -> None:
        event_id = around_now(dept, starts_in, **fields)
        user_id, username = person(dept)
        answer = self_check_in(dept, username, event_id)
        assert answer.status_code == 400, answer.text
        assert detail in answer.json()["detail"]
        assert row_of(dept, event_id, user_id) is None

    @pytest.mark.parametrize(
        ("starts_in", "fields", "notice"),
        [
            # `window` closes relative to the scheduled end (§8.7): ended 10 minutes ago.
            (-timedelta(minutes=130), {"check_in_window_type": "window"}, False),
            (
                timedelta(minutes=30),
                {"check_in_window_type": "window", "check_in_minutes_before": 15},
                True,
            ),
            (-timedelta(minutes=1), {"check_in_window_type": "strict"}, False),
            (timedelta(minutes=59), {}, False),
        ],
    )
    def test_accepted_inside_the_window(
        self, dept: Department, starts_in: timedelta, fields: dict[str, Any], notice: bool
    ) -> None:
        event_id = around_now(dept, starts_in, **fields)
        _, username = person(dept)
        answer = self_check_in(dept, username, event_id)
        assert answer.status_code == 200, answer.text
        assert (answer.json()["notice"] is not None) is notice

    def test_the_training_bridge_event_carries_the_local_date(self, dept: Department) -> None:
        set_organization(dept, timezone="America/Los_Angeles")
        # 01:00 UTC is the previous evening in Los Angeles: the training date is that day.
        start = datetime.now(UTC).replace(hour=1, minute=0, second=0, microsecond=0)
        if start > now():
            start -= timedelta(days=1)
        event_id = around_now(
            dept, start - now(), hours=48, event_type="training", check_in_window_type="flexible"
        )
        user_id, username = person(dept)
        assert self_check_in(dept, username, event_id).status_code == 200
        marks = outbox_data(dept, "logbook.api.event.checked_in")
        assert [(m["user_id"], m["method"], m["event_type"]) for m in marks] == [
            (user_id, "self", "training")
        ]
        assert marks[0]["local_date"] == (start - timedelta(days=1)).date().isoformat()


class TestSelfCheckOut:
    def test_checks_out_with_floored_minutes(self, dept: Department) -> None:
        event_id = started(dept, minutes_ago=60)
        user_id, username = person(dept)
        seed_rsvp(
            dept,
            event_id,
            user_id,
            checked_in=True,
            checked_in_at=now() - timedelta(minutes=42, seconds=30),
        )
        answer = self_check_in(dept, username, event_id, {"is_checkout": True})
        assert answer.status_code == 200, answer.text
        assert answer.json()["attendance_duration_minutes"] == 42
        assert answer.json()["checked_out_at"] is not None
        assert audit_types(dept, user_id) == ["event_checkout"]
        outs = outbox_data(dept, "logbook.api.event.checked_out")
        assert [(o["user_id"], o["method"]) for o in outs] == [(user_id, "self")]
        again = self_check_in(dept, username, event_id, {"is_checkout": True})
        assert again.status_code == 400, again.text
        assert "already checked out" in again.json()["detail"]

    def test_not_checked_in_is_400_and_the_window_gates_check_out(self, dept: Department) -> None:
        event_id = started(dept)
        user_id, username = person(dept)
        assert self_check_in(dept, username, event_id, {"is_checkout": True}).status_code == 400
        seed_rsvp(dept, event_id, user_id)
        assert self_check_in(dept, username, event_id, {"is_checkout": True}).status_code == 400
        closed = started(dept, minutes_ago=180)
        seed_rsvp(dept, closed, user_id, checked_in=True, checked_in_at=now() - timedelta(hours=3))
        late = self_check_in(dept, username, closed, {"is_checkout": True})
        assert late.status_code == 400, late.text
        assert "closed" in late.json()["detail"]


class TestForgery:
    def test_the_body_cannot_name_another_member(self, dept: Department) -> None:
        event_id = started(dept)
        user_id, username = person(dept)
        victim, _ = person(dept)
        answer = self_check_in(dept, username, event_id, {"user_id": victim})
        assert answer.status_code == 200, answer.text
        assert answer.json()["user_id"] == user_id
        assert row_of(dept, event_id, victim) is None

    def test_another_organizations_event_is_404(self, dept: Department) -> None:
        foreign = started(dept, organization_id=dept.second_organization())
        _, username = person(dept)
        _, manager_name = person(dept), manager(dept)
        for name in (username, manager_name):
            assert self_check_in(dept, name, foreign).status_code == 404
            assert self_check_in(dept, name, foreign, {"is_checkout": True}).status_code == 404
        assert self_check_in(dept, username, UNKNOWN).status_code == 404
        assert self_check_in(dept, username, "not-an-id").status_code == 422

    def test_drafts_are_unknown_to_members_but_not_to_managers(self, dept: Department) -> None:
        draft = started(dept, is_draft=True)
        _, username = person(dept)
        assert self_check_in(dept, username, draft).status_code == 404
        assert self_check_in(dept, manager(dept), draft).status_code == 200

    def test_signed_out_is_401(self, dept: Department) -> None:
        event_id = started(dept)
        with dept.client() as client:
            assert client.post(at(event_id, "self-check-in")).status_code == 401
