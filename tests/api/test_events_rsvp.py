"""RSVPs in-process (spec events.md §3 #12, #13, §4.4, §8.1 to §8.4): the caller's upsert, its
refusals in order, capacity and the waitlist, history rows, outbox events, the managers' list,
permissions and tenancy."""

from datetime import timedelta

import pytest

from shared.models import RSVPStatus
from tests.api.department import Department
from tests.api.events_attendance_support import (
    RSVP_FIELDS,
    at,
    history,
    now,
    person,
    row_of,
    rsvp_event,
    rsvp_rows,
    utc,
)
from tests.api.events_support import audit_types, manager, outbox_data, seed_event, seed_rsvp


@pytest.fixture
def dept(department: Department) -> Department:
    return department


class TestAnswer:
    def test_first_answer_is_stored_with_history_and_event(self, dept: Department) -> None:
        event_id = rsvp_event(dept)
        user_id, username = person(dept, "Robin", "Hale")
        with dept.signed_in(username) as client:
            answer = client.post(
                at(event_id, "rsvp"),
                json={"status": "going", "notes": "Bringing the trailer", "guest_count": 2},
            )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert set(body) == RSVP_FIELDS
        assert (body["status"], body["user_id"], body["event_id"]) == ("going", user_id, event_id)
        assert body["user_name"] == "Robin Hale"
        assert body["user_email"].startswith(f"{username}@")
        assert body["notes"] == "Bringing the trailer"
        assert body["guest_count"] == 0  # the event does not allow guests
        assert utc(body["responded_at"]) <= now()
        assert (body["checked_in"], body["checked_in_at"], body["notice"]) == (False, None, None)
        assert history(dept, event_id) == [(user_id, None, "going")]
        changes = outbox_data(dept, "logbook.api.event.rsvp_changed")
        assert [(c["user_id"], c["old_status"], c["new_status"]) for c in changes] == [
            (user_id, None, "going")
        ]

    def test_an_edit_overwrites_the_fields_but_keeps_the_queue_position(
        self, dept: Department
    ) -> None:
        event_id = rsvp_event(dept, allow_guests=True)
        user_id, username = person(dept)
        with dept.signed_in(username) as client:
            first = client.post(at(event_id, "rsvp"), json={"status": "maybe", "notes": "n"})
            again = client.post(at(event_id, "rsvp"), json={"status": "MAYBE", "guest_count": 3})
            moved = client.post(at(event_id, "rsvp"), json={"status": "Not_Going"})
        assert first.status_code == again.status_code == moved.status_code == 200, moved.text
        assert again.json()["responded_at"] == first.json()["responded_at"]
        assert (again.json()["notes"], again.json()["guest_count"]) == (None, 3)
        assert moved.json()["status"] == "not_going"
        # One history row per change of status: the same answer again adds none.
        assert history(dept, event_id) == [
            (user_id, None, "maybe"),
            (user_id, "maybe", "not_going"),
        ]
        assert len(rsvp_rows(dept, event_id)) == 1

    def test_a_user_id_in_the_body_is_ignored(self, dept: Department) -> None:
        event_id = rsvp_event(dept)
        user_id, username = person(dept)
        other, _ = person(dept)
        with dept.signed_in(username) as client:
            answer = client.post(at(event_id, "rsvp"), json={"status": "going", "user_id": other})
        assert answer.status_code == 200, answer.text
        assert answer.json()["user_id"] == user_id
        assert row_of(dept, event_id, other) is None

    def test_changing_to_not_going_leaves_a_check_in(self, dept: Department) -> None:
        event_id = rsvp_event(dept)
        user_id, username = person(dept)
        seed_rsvp(dept, event_id, user_id, checked_in=True, checked_in_at=now())
        with dept.signed_in(username) as client:
            answer = client.post(at(event_id, "rsvp"), json={"status": "not_going"})
        assert answer.status_code == 200, answer.text
        assert (answer.json()["status"], answer.json()["checked_in"]) == ("not_going", True)


class TestRefusals:
    @pytest.mark.parametrize(
        ("fields", "detail"),
        [
            ({"is_cancelled": True}, "cancelled"),
            ({"is_draft": True}, "draft"),
            ({"requires_rsvp": False}, "does not require"),
            ({"rsvp_deadline": now() - timedelta(minutes=1)}, "deadline"),
            (
                {
                    "start_datetime": now() - timedelta(hours=3),
                    "end_datetime": now() - timedelta(minutes=1),
                },
                "ended",
            ),
            ({"allowed_rsvp_statuses": None}, "'maybe' is not allowed"),
        ],
    )
    def test_refused_with_400(
        self, dept: Department, fields: dict[str, object], detail: str
    ) -> None:
        event_id = rsvp_event(dept, **fields)
        _, username = person(dept)
        with dept.signed_in(username) as client:
            answer = client.post(at(event_id, "rsvp"), json={"status": "maybe"})
        assert answer.status_code == 400, answer.text
        assert detail in answer.json()["detail"]
        assert rsvp_rows(dept, event_id) == []

    def test_the_default_list_still_takes_going(self, dept: Department) -> None:
        event_id = rsvp_event(dept, allowed_rsvp_statuses=None)
        _, username = person(dept)
        with dept.signed_in(username) as client:
            answer = client.post(at(event_id, "rsvp"), json={"status": "going"})
        assert answer.status_code == 200, answer.text

    def test_waitlisted_is_the_servers_alone(self, dept: Department) -> None:
        event_id = rsvp_event(dept)
        _, username = person(dept)
        with dept.signed_in(username) as client:
            answer = client.post(at(event_id, "rsvp"), json={"status": "waitlisted"})
        assert answer.status_code == 400, answer.text

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"status": "yes"},
            {"status": "going", "guest_count": 11},
            {"status": "going", "guest_count": -1},
            {"status": "going", "notes": "x" * 501},
        ],
    )
    def test_bad_bodies_are_422(self, dept: Department, body: dict[str, object]) -> None:
        event_id = rsvp_event(dept)
        _, username = person(dept)
        with dept.signed_in(username) as client:
            answer = client.post(at(event_id, "rsvp"), json=body)
        assert answer.status_code == 422, answer.text

    def test_unknown_and_foreign_events_are_404(self, dept: Department) -> None:
        foreign = rsvp_event(dept, dept.second_organization())
        _, username = person(dept)
        with dept.signed_in(username) as client:
            for event_id in (foreign, "8d5f9a52-5a7f-4d43-9f0e-0a1c3d2e4b6f"):
                answer = client.post(at(event_id, "rsvp"), json={"status": "going"})
                assert answer.status_code == 404, answer.text
            assert client.post(at("nope", "rsvp"), json={"status": "going"}).status_code == 422
        assert rsvp_rows(dept, foreign) == []

    def test_no_session_is_401(self, dept: Department) -> None:
        event_id = rsvp_event(dept)
        with dept.client() as client:
            assert client.post(at(event_id, "rsvp"), json={"status": "going"}).status_code == 401


class TestWaitlist:
    def test_a_full_event_stores_waitlisted_and_answers_200(self, dept: Department) -> None:
        event_id = rsvp_event(dept, max_attendees=1)
        first, _ = person(dept)
        seed_rsvp(dept, event_id, first, guest_count=5)  # guests do not take seats (§8.3)
        user_id, username = person(dept)
        with dept.signed_in(username) as client:
            answer = client.post(at(event_id, "rsvp"), json={"status": "going"})
            again = client.post(at(event_id, "rsvp"), json={"status": "going"})
        assert answer.status_code == again.status_code == 200, answer.text
        assert answer.json()["status"] == again.json()["status"] == "waitlisted"
        assert history(dept, event_id) == [(user_id, None, "waitlisted")]

    def test_guests_do_not_count_against_capacity(self, dept: Department) -> None:
        event_id = rsvp_event(dept, max_attendees=2, allow_guests=True)
        first, _ = person(dept)
        seed_rsvp(dept, event_id, first, guest_count=10)
        _, username = person(dept)
        with dept.signed_in(username) as client:
            answer = client.post(at(event_id, "rsvp"), json={"status": "going", "guest_count": 4})
        assert answer.json()["status"] == "going", answer.text

    def test_leaving_going_promotes_the_oldest_waitlisted_once(self, dept: Department) -> None:
        event_id = rsvp_event(dept, max_attendees=1)
        leaver, username = person(dept)
        seed_rsvp(dept, event_id, leaver, responded_at=now() - timedelta(hours=5))
        later, oldest = person(dept)[0], person(dept)[0]
        seed_rsvp(
            dept,
            event_id,
            later,
            status=RSVPStatus.WAITLISTED,
            responded_at=now() - timedelta(hours=1),
        )
        seed_rsvp(
            dept,
            event_id,
            oldest,
            status=RSVPStatus.WAITLISTED,
            responded_at=now() - timedelta(hours=2),
        )
        with dept.signed_in(username) as client:
            left = client.post(at(event_id, "rsvp"), json={"status": "maybe"})
            # Back to going: the seat is taken now, so the leaver queues behind `later`.
            back = client.post(at(event_id, "rsvp"), json={"status": "going"})
        assert left.status_code == back.status_code == 200, left.text
        assert back.json()["status"] == "waitlisted"
        statuses = sorted(row["status"] for row in rsvp_rows(dept, event_id))
        assert statuses == ["going", "waitlisted", "waitlisted"]
        assert (row_of(dept, event_id, oldest) or {})["status"] == "going"
        promoted = outbox_data(dept, "logbook.api.event.waitlist_promoted")
        assert [(p["event_id"], p["user_id"]) for p in promoted] == [(event_id, oldest)]
        assert audit_types(dept, oldest) == ["event_waitlist_promoted"]
        assert (oldest, "waitlisted", "going") in history(dept, event_id)

    def test_no_promotion_without_a_free_seat_or_a_maximum(self, dept: Department) -> None:
        for maximum in (None, 1):
            event_id = rsvp_event(dept, max_attendees=maximum)
            leaver, username = person(dept)
            seed_rsvp(dept, event_id, leaver, status=RSVPStatus.MAYBE)
            waiting, _ = person(dept)
            seed_rsvp(dept, event_id, waiting, status=RSVPStatus.WAITLISTED)
            with dept.signed_in(username) as client:
                assert client.post(at(event_id, "rsvp"), json={"status": "not_going"}).is_success
            assert (row_of(dept, event_id, waiting) or {})["status"] == "waitlisted"
        assert outbox_data(dept, "logbook.api.event.waitlist_promoted") == []


class TestList:
    def test_lists_answers_latest_first_with_names_and_attendance(self, dept: Department) -> None:
        event_id = seed_event(dept)
        early, _ = person(dept, "Ann", "Early")
        late, _ = person(dept, "Lee", "Late")
        seed_rsvp(dept, event_id, early, responded_at=now() - timedelta(hours=2))
        seed_rsvp(
            dept, event_id, late, status=RSVPStatus.MAYBE, responded_at=now() - timedelta(hours=1)
        )
        with dept.signed_in(manager(dept)) as client:
            listed = client.get(at(event_id, "rsvps"))
            maybes = client.get(at(event_id, "rsvps"), params={"status_filter": "maybe"})
            paged = client.get(at(event_id, "rsvps"), params={"skip": 1, "limit": 1})
        assert listed.status_code == 200, listed.text
        assert [(r["user_id"], r["user_name"]) for r in listed.json()] == [
            (late, "Lee Late"),
            (early, "Ann Early"),
        ]
        assert all(set(row) == RSVP_FIELDS for row in listed.json())
        assert [r["user_id"] for r in maybes.json()] == [late]
        assert [r["user_id"] for r in paged.json()] == [early]

    def test_managers_only_and_tenancy(self, dept: Department) -> None:
        event_id = seed_event(dept)
        foreign = seed_event(dept, dept.second_organization())
        _, username = person(dept)
        with dept.signed_in(username) as client:
            assert client.get(at(event_id, "rsvps")).status_code == 403
        with dept.signed_in(manager(dept)) as client:
            assert client.get(at(foreign, "rsvps")).status_code == 404
            assert client.get(at(event_id, "rsvps"), params={"limit": 501}).status_code == 422
            assert client.get(at(event_id, "rsvps")).json() == []
