"""Managers' attendance in-process (spec events.md §3 #14 to #18, §4.5): eligible members,
check-in, add-attendee, overrides and removal; audit entries, outbox events, and the permission
matrix and tenancy of every manager route (closing and reports are in test_events_closing.py)."""

from datetime import timedelta
from typing import Any

import pytest

from shared.models import RSVPStatus
from tests.api.department import Department
from tests.api.events_attendance_support import (
    RSVP_FIELDS,
    UNKNOWN,
    around_now,
    at,
    history,
    manage,
    now,
    person,
    row_of,
    rsvp_event,
    same,
    started,
    utc,
)
from tests.api.events_support import (
    EVENTS,
    audit_types,
    iso,
    manager,
    outbox_data,
    seed_event,
    seed_rsvp,
)


@pytest.fixture
def dept(department: Department) -> Department:
    return department


class TestEligibleMembers:
    def test_active_members_by_last_then_first_name(self, dept: Department) -> None:
        event_id = seed_event(dept)
        zed, _ = person(dept, "Amy", "Zed")
        abe, _ = person(dept, "Bo", "Abe")
        dept.add_member("member", first_name="Old", last_name="Aardvark", status="retired")
        dept.add_member("member", organization_id=dept.second_organization())
        with dept.signed_in(manager(dept)) as client:
            answer = client.get(at(event_id, "eligible-members"))
        assert answer.status_code == 200, answer.text
        listed = answer.json()
        assert set(listed[0]) == {"id", "first_name", "last_name", "email"}
        names = [row["last_name"] for row in listed]
        assert "Aardvark" not in names
        assert names == sorted(names, key=str.lower)  # the database's collation ignores case
        ids = [row["id"] for row in listed]
        assert ids.index(abe) < ids.index(zed)
        assert len(ids) == len(set(ids))

    def test_unknown_event_is_404(self, dept: Department) -> None:
        with dept.signed_in(manager(dept)) as client:
            assert client.get(at(UNKNOWN, "eligible-members")).status_code == 404


class TestManagerCheckIn:
    def test_checks_in_a_member_without_rsvp_as_going(self, dept: Department) -> None:
        event_id = started(dept, max_attendees=1)
        seed_rsvp(dept, event_id, person(dept)[0])  # the event is full: no matter (§8.3)
        user_id, _ = person(dept, "Sam", "Cole")
        answer = manage(dept, at(event_id, "check-in"), {"user_id": user_id})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert set(body) == RSVP_FIELDS
        assert (body["status"], body["checked_in"], body["user_name"]) == (
            "going",
            True,
            "Sam Cole",
        )
        assert body["notice"] is None
        assert utc(body["checked_in_at"]) <= now()
        assert audit_types(dept, user_id) == ["event_checkin"]
        marks = outbox_data(dept, "logbook.api.event.checked_in")
        assert [(m["user_id"], m["method"], m["event_type"]) for m in marks] == [
            (user_id, "manager", "business_meeting")
        ]
        assert history(dept, event_id)[-1] == (user_id, None, "going")

    def test_early_grace_without_notice(self, dept: Department) -> None:
        # Flexible opens 60 minutes before; 90 minutes before is inside the grace hour.
        event_id = around_now(dept, timedelta(minutes=90))
        user_id, _ = person(dept)
        answer = manage(dept, at(event_id, "check-in"), {"user_id": user_id})
        assert answer.status_code == 200, answer.text
        assert answer.json()["notice"] is None

    @pytest.mark.parametrize(
        ("starts_in", "fields", "detail"),
        [
            (timedelta(hours=5), {}, "not open yet"),
            (-timedelta(hours=3), {}, "closed"),
            (-timedelta(minutes=10), {"is_cancelled": True}, "cancelled"),
        ],
    )
    def test_refused_outside_the_window_or_when_cancelled(
        self, dept: Department, starts_in: timedelta, fields: dict[str, Any], detail: str
    ) -> None:
        event_id = around_now(dept, starts_in, **fields)
        user_id, _ = person(dept)
        answer = manage(dept, at(event_id, "check-in"), {"user_id": user_id})
        assert answer.status_code == 400, answer.text
        assert detail in answer.json()["detail"]
        assert row_of(dept, event_id, user_id) is None

    def test_a_second_check_in_is_400(self, dept: Department) -> None:
        event_id = started(dept)
        user_id, _ = person(dept)
        assert manage(dept, at(event_id, "check-in"), {"user_id": user_id}).status_code == 200
        again = manage(dept, at(event_id, "check-in"), {"user_id": user_id})
        assert again.status_code == 400, again.text

    def test_members_of_other_organizations_and_inactive_ones_are_400(
        self, dept: Department
    ) -> None:
        event_id = started(dept)
        foreign, _ = dept.add_member("member", organization_id=dept.second_organization())
        retired, _ = dept.add_member("member", status="retired")
        for user_id in (foreign, retired, UNKNOWN):
            answer = manage(dept, at(event_id, "check-in"), {"user_id": user_id})
            assert answer.status_code == 400, answer.text
            assert answer.json()["detail"] == "Member not found in this organization"

    def test_foreign_event_is_404(self, dept: Department) -> None:
        foreign = started(dept, organization_id=dept.second_organization())
        user_id, _ = person(dept)
        assert manage(dept, at(foreign, "check-in"), {"user_id": user_id}).status_code == 404


class TestAddAttendee:
    def test_after_the_event_credits_from_the_start(self, dept: Department) -> None:
        event_id = around_now(dept, -timedelta(hours=5))
        user_id, _ = person(dept)
        answer = manage(
            dept, at(event_id, "add-attendee"), {"user_id": user_id, "checked_in": True}
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        start = (now() - timedelta(hours=5)).replace(microsecond=0)
        assert body["checked_in"] is True
        assert abs(utc(body["checked_in_at"]) - start) < timedelta(seconds=5)
        assert body["overridden_by"] is not None
        assert body["overridden_at"] is not None
        assert audit_types(dept, user_id) == ["event_attendee_added"]
        marks = outbox_data(dept, "logbook.api.event.checked_in")
        assert [(m["user_id"], m["method"]) for m in marks] == [(user_id, "added")]
        # Finalize then credits the whole two hours, not 0 minutes.
        assert manage(dept, at(event_id, "finalize-attendance")).json() == {"updated_count": 1}
        assert (row_of(dept, event_id, user_id) or {})["attendance_duration_minutes"] == 120

    def test_before_the_start_stamps_now_and_needs_no_window(self, dept: Department) -> None:
        event_id = seed_event(dept)  # a week out: far outside the check-in window
        user_id, _ = person(dept)
        answer = manage(
            dept, at(event_id, "add-attendee"), {"user_id": user_id, "checked_in": True}
        )
        assert answer.status_code == 200, answer.text
        assert utc(answer.json()["checked_in_at"]) <= now()

    def test_overwrites_an_answer_and_frees_its_seat(self, dept: Department) -> None:
        event_id = rsvp_event(dept, max_attendees=1)
        user_id, _ = person(dept)
        seed_rsvp(dept, event_id, user_id, notes="old")
        waiting, _ = person(dept)
        seed_rsvp(dept, event_id, waiting, status=RSVPStatus.WAITLISTED)
        answer = manage(
            dept,
            at(event_id, "add-attendee"),
            {"user_id": user_id, "status": "NOT_GOING", "notes": "called in"},
        )
        assert answer.status_code == 200, answer.text
        assert (answer.json()["status"], answer.json()["notes"]) == ("not_going", "called in")
        assert answer.json()["checked_in"] is False
        assert audit_types(dept, user_id) == ["event_attendee_overwritten"]
        assert (row_of(dept, event_id, waiting) or {})["status"] == "going"

    @pytest.mark.parametrize(
        "body", [{"status": "waitlisted"}, {"status": "nope"}, {"notes": "x" * 501}]
    )
    def test_bad_bodies_are_422(self, dept: Department, body: dict[str, Any]) -> None:
        event_id = seed_event(dept)
        user_id, _ = person(dept)
        answer = manage(dept, at(event_id, "add-attendee"), {"user_id": user_id, **body})
        assert answer.status_code == 422, answer.text

    def test_cancelled_event_and_foreign_member_are_400(self, dept: Department) -> None:
        cancelled = seed_event(dept, is_cancelled=True)
        user_id, _ = person(dept)
        assert manage(dept, at(cancelled, "add-attendee"), {"user_id": user_id}).status_code == 400
        event_id = seed_event(dept)
        foreign, _ = dept.add_member("member", organization_id=dept.second_organization())
        assert manage(dept, at(event_id, "add-attendee"), {"user_id": foreign}).status_code == 400


class TestOverride:
    def path(self, event_id: str, user_id: str) -> str:
        return f"{EVENTS}/{event_id}/rsvps/{user_id}/override"

    def patch(self, dept: Department, path: str, body: dict[str, Any]) -> Any:
        with dept.signed_in(manager(dept)) as client:
            return client.patch(path, json=body)

    def test_both_times_give_the_duration_and_mark_checked_in(self, dept: Department) -> None:
        event_id = seed_event(dept)
        user_id, _ = person(dept)
        seed_rsvp(dept, event_id, user_id)
        answer = self.patch(
            dept,
            self.path(event_id, user_id),
            {
                "override_check_in_at": "2026-03-01T18:00:00Z",
                "override_check_out_at": "2026-03-01T20:30:59+00:00",
            },
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["override_duration_minutes"] == 150
        assert (body["checked_in"], body["checked_in_at"]) == (True, "2026-03-01T18:00:00Z")
        assert body["override_check_out_at"] == "2026-03-01T20:30:59Z"
        assert body["overridden_by"] is not None
        assert audit_types(dept, user_id) == ["event_attendance_override"]
        overridden = outbox_data(dept, "logbook.api.event.attendance_overridden")
        assert [(o["user_id"], o["minutes"]) for o in overridden] == [(user_id, 150)]
        assert [m["method"] for m in outbox_data(dept, "logbook.api.event.checked_in")] == [
            "manager"
        ]

    def test_a_sent_duration_wins_and_a_later_edit_keeps_the_rest(self, dept: Department) -> None:
        event_id = seed_event(dept)
        user_id, _ = person(dept)
        seed_rsvp(dept, event_id, user_id, checked_in=True, checked_in_at=now())
        path = self.path(event_id, user_id)
        first = self.patch(dept, path, {"override_duration_minutes": 45})
        second = self.patch(dept, path, {"override_check_out_at": "2030-01-01T00:00:00Z"})
        assert first.status_code == second.status_code == 200, second.text
        assert second.json()["override_duration_minutes"] == 45
        assert outbox_data(dept, "logbook.api.event.checked_in") == []  # already checked in

    def test_an_override_does_not_finalize(self, dept: Department) -> None:
        event_id = started(dept, minutes_ago=200)  # ended 80 minutes ago, not finalized
        user_id, _ = person(dept)
        seed_rsvp(dept, event_id, user_id, checked_in=True, checked_in_at=now())
        answer = self.patch(
            dept, self.path(event_id, user_id), {"override_check_in_at": iso(now())}
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["attendance_duration_minutes"] is None
        with dept.signed_in(manager(dept)) as client:
            event = client.get(f"{EVENTS}/{event_id}").json()
        assert event["custom_fields"] is None  # no finalize marker
        assert outbox_data(dept, "logbook.api.event.attendance_finalized") == []

    @pytest.mark.parametrize(
        "body",
        [
            {
                "override_check_in_at": "2026-03-01T18:00:00Z",
                "override_check_out_at": "2026-03-01T18:00:00Z",
            },
            {"override_check_out_at": "2026-03-01T17:00:00Z"},
        ],
    )
    def test_an_end_at_or_before_the_start_is_400(
        self, dept: Department, body: dict[str, Any]
    ) -> None:
        event_id = seed_event(dept)
        user_id, _ = person(dept)
        seed_rsvp(dept, event_id, user_id, override_check_in_at=utc("2026-03-01T18:00:00Z"))
        assert self.patch(dept, self.path(event_id, user_id), body).status_code == 400

    def test_no_rsvp_or_no_event_is_404_and_negative_minutes_422(self, dept: Department) -> None:
        event_id = seed_event(dept)
        user_id, _ = person(dept)
        answer = self.patch(dept, self.path(event_id, user_id), {"override_duration_minutes": 5})
        assert answer.status_code == 404
        assert answer.json()["detail"] == "RSVP not found"
        assert self.patch(dept, self.path(UNKNOWN, user_id), {}).status_code == 404
        seed_rsvp(dept, event_id, user_id)
        for bad in (
            {"override_duration_minutes": -1},
            {"override_check_in_at": "1000-01-01T00:00:00Z"},  # outside what the column holds
            {"override_check_out_at": "0001-01-01T00:00:00+01:00"},  # no UTC time at all
        ):
            assert self.patch(dept, self.path(event_id, user_id), bad).status_code == 422


class TestRemove:
    def test_removes_the_row_and_promotes_the_waitlist(self, dept: Department) -> None:
        event_id = rsvp_event(dept, max_attendees=1)
        user_id, _ = person(dept)
        seed_rsvp(dept, event_id, user_id)
        waiting, _ = person(dept)
        seed_rsvp(dept, event_id, waiting, status=RSVPStatus.WAITLISTED)
        with dept.signed_in(manager(dept)) as client:
            answer = client.delete(f"{EVENTS}/{event_id}/rsvps/{user_id}")
            again = client.delete(f"{EVENTS}/{event_id}/rsvps/{user_id}")
        assert answer.status_code == 204, answer.text
        assert again.status_code == 404
        assert row_of(dept, event_id, user_id) is None
        assert (row_of(dept, event_id, waiting) or {})["status"] == "going"
        assert audit_types(dept, user_id) == ["event_attendee_removed"]
        changes = outbox_data(dept, "logbook.api.event.rsvp_changed")
        assert any(same(c["user_id"], user_id) and c["new_status"] is None for c in changes)
        promoted = outbox_data(dept, "logbook.api.event.waitlist_promoted")
        assert [p["user_id"] for p in promoted] == [waiting]


MANAGER_ROUTES = [
    ("get", "eligible-members", None),
    ("post", "check-in", {"user_id": UNKNOWN}),
    ("post", "add-attendee", {"user_id": UNKNOWN}),
    ("patch", f"rsvps/{UNKNOWN}/override", {}),
    ("delete", f"rsvps/{UNKNOWN}", None),
    ("get", "rsvps", None),
    ("get", "stats", None),
    ("get", "check-in-monitoring", None),
    ("post", "record-times", {}),
    ("post", "finalize-attendance", None),
    ("post", "end-event", None),
]


@pytest.mark.parametrize(("method", "action", "body"), MANAGER_ROUTES)
def test_manager_routes_refuse_members_and_hide_other_organizations(
    dept: Department, method: str, action: str, body: dict[str, Any] | None
) -> None:
    event_id = started(dept)
    foreign = started(dept, organization_id=dept.second_organization())
    _, username = person(dept)
    kwargs: dict[str, Any] = {"json": body} if body is not None else {}
    with dept.signed_in(username) as client:
        refused = client.request(method, at(event_id, action), **kwargs)
    with dept.signed_in(manager(dept)) as client:
        hidden = client.request(method, at(foreign, action), **kwargs)
    with dept.client() as client:
        anonymous = client.request(method, at(event_id, action), **kwargs)
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "LB-PERM-001"
    assert hidden.status_code == 404, hidden.text
    assert anonymous.status_code == 401
