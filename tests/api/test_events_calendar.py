"""The calendar in-process (spec events.md §3 #1 to #8, §4.1, §4.2, §8.9 to §8.12): shapes,
the create and edit rules in order, drafts, the list's filters and counts, permissions,
tenancy, audit entries and outbox events."""

from datetime import timedelta
from typing import Any

import pytest

from tests.api.department import Department
from tests.api.events_support import (
    EVENTS,
    VISIBLE_TYPES,
    audit_types,
    create_event,
    event_body,
    in_days,
    iso,
    manager,
    outbox_data,
    seed_event,
    seed_location,
    seed_rsvp,
    set_organization,
)

RESPONSE_FIELDS = {
    "id",
    "organization_id",
    "title",
    "description",
    "event_type",
    "custom_category",
    "location_id",
    "location",
    "location_details",
    "location_name",
    "start_datetime",
    "end_datetime",
    "actual_start_time",
    "actual_end_time",
    "requires_rsvp",
    "rsvp_deadline",
    "max_attendees",
    "allowed_rsvp_statuses",
    "is_mandatory",
    "mandatory_membership_types",
    "allow_guests",
    "send_reminders",
    "reminder_target",
    "reminder_schedule",
    "check_in_window_type",
    "check_in_minutes_before",
    "check_in_minutes_after",
    "require_checkout",
    "allow_guest_check_in",
    "guest_check_in_creates_prospect",
    "custom_fields",
    "attachments",
    "is_recurring",
    "recurrence_pattern",
    "recurrence_end_date",
    "rolling_recurrence",
    "recurrence_custom_days",
    "recurrence_weekday",
    "recurrence_week_ordinal",
    "recurrence_month",
    "recurrence_exceptions",
    "recurrence_parent_id",
    "template_id",
    "is_draft",
    "is_cancelled",
    "cancellation_reason",
    "cancelled_at",
    "created_by",
    "updated_by",
    "created_at",
    "updated_at",
    "rsvp_count",
    "going_count",
    "not_going_count",
    "maybe_count",
    "user_rsvp_status",
}
LIST_FIELDS = {
    "id",
    "title",
    "description",
    "event_type",
    "custom_category",
    "start_datetime",
    "end_datetime",
    "location_id",
    "location",
    "location_name",
    "requires_rsvp",
    "is_mandatory",
    "mandatory_membership_types",
    "is_draft",
    "is_cancelled",
    "is_recurring",
    "recurrence_parent_id",
    "rsvp_count",
    "going_count",
    "user_rsvp_status",
}
REASON = {"cancellation_reason": "The hall is flooded"}


@pytest.fixture
def dept(department: Department) -> Department:
    return department


def errors_of(body: dict[str, Any]) -> list[str]:
    return [entry["field"] for entry in body["detail"]]


class TestCreateAndRead:
    def test_an_event_is_answered_in_the_spec_shape(self, dept: Department) -> None:
        room = seed_location(dept, name="Training room")
        with dept.signed_in(dept.admin_username) as admin:
            created = create_event(admin, location_id=room, description="Bring turnout gear")
            read = admin.get(f"{EVENTS}/{created['id']}")
        assert set(created) == RESPONSE_FIELDS
        assert created["location_name"] == "Training room"
        assert created["start_datetime"].endswith("Z")
        assert created["created_at"].endswith("Z")
        assert created["rsvp_count"] is None  # counts only on GET detail
        assert created["actual_start_time"] is None
        assert created["reminder_schedule"] == [24]
        assert created["reminder_target"] == "going"
        assert created["check_in_window_type"] == "flexible"
        assert (created["check_in_minutes_before"], created["check_in_minutes_after"]) == (60, 15)
        assert read.status_code == 200
        detail = read.json()
        assert detail["rsvp_count"] == 0
        assert detail["going_count"] == 0
        assert detail["user_rsvp_status"] is None
        assert {
            key: detail[key]
            for key in created
            if key not in {"rsvp_count", "going_count", "not_going_count", "maybe_count"}
        } == {
            key: created[key]
            for key in created
            if key not in {"rsvp_count", "going_count", "not_going_count", "maybe_count"}
        }

    def test_a_naive_datetime_is_taken_as_utc_and_enums_in_any_case(self, dept: Department) -> None:
        body = event_body(
            event_type="TRAINING",
            check_in_window_type="Window",
            start_datetime="2027-03-01T18:00:00",
            end_datetime="2027-03-01T20:00:00+01:00",
        )
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.post(EVENTS, json=body)
        assert response.status_code == 201, response.text
        created = response.json()
        assert created["event_type"] == "training"
        assert created["check_in_window_type"] == "window"
        assert created["start_datetime"] == "2027-03-01T18:00:00Z"
        assert created["end_datetime"] == "2027-03-01T19:00:00Z"

    def test_rsvp_and_reminder_defaults(self, dept: Department) -> None:
        start = in_days(7)
        with dept.signed_in(dept.admin_username) as admin:
            rsvp = create_event(
                admin, requires_rsvp=True, rsvp_deadline=iso(start - timedelta(days=1))
            )
            mandatory = create_event(admin, is_mandatory=True)
            chosen = create_event(admin, is_mandatory=True, reminder_target="none")
        assert rsvp["allowed_rsvp_statuses"] == ["going", "not_going"]
        assert mandatory["reminder_target"] == "all"
        assert mandatory["allowed_rsvp_statuses"] is None
        assert chosen["reminder_target"] == "none"

    def test_a_stored_null_type_reads_as_other(self, dept: Department) -> None:
        event_id = seed_event(dept, event_type=None)
        with dept.signed_in(dept.admin_username) as admin:
            read = admin.get(f"{EVENTS}/{event_id}").json()
            listed = admin.get(EVENTS).json()
        assert read["event_type"] == "other"
        assert [item["event_type"] for item in listed if item["id"] == event_id] == ["other"]

    def test_the_round_trip_flags_and_documents_are_kept(self, dept: Department) -> None:
        fields = {
            "allow_guest_check_in": True,
            "guest_check_in_creates_prospect": True,
            "require_checkout": True,
            "custom_fields": {"uniform": "class B"},
            "attachments": [{"name": "map.pdf", "size": 1200}],
            "mandatory_membership_types": ["active", "probationary"],
            "custom_category": "drill-night",
            "max_attendees": 12,
            "reminder_schedule": [48, 2],
        }
        with dept.signed_in(dept.admin_username) as admin:
            created = create_event(admin, **fields)
        assert {key: created[key] for key in fields} == fields

    def test_detail_counts_every_answer_and_the_callers_own(self, dept: Department) -> None:
        event_id = seed_event(dept)
        me, me_name = dept.add_member("member")
        for status in ("going", "going", "maybe", "not_going", "waitlisted"):
            seed_rsvp(dept, event_id, dept.add_member("member")[0], status=status)
        seed_rsvp(dept, event_id, me, status="maybe")
        with dept.signed_in(me_name) as member:
            detail = member.get(f"{EVENTS}/{event_id}").json()
        assert detail["rsvp_count"] == 6  # waitlisted included
        assert (detail["going_count"], detail["maybe_count"], detail["not_going_count"]) == (
            2,
            2,
            1,
        )
        assert detail["user_rsvp_status"] == "maybe"

    def test_a_malformed_id_is_422_and_an_unknown_one_404(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            assert admin.get(f"{EVENTS}/not-a-uuid").status_code == 422
            missing = admin.get(f"{EVENTS}/00000000-0000-4000-8000-000000000000")
        assert missing.status_code == 404
        assert missing.json()["detail"] == "Event not found"


class TestCreateRules:
    @pytest.mark.parametrize(
        "fields",
        [
            {"title": ""},
            {"title": "x" * 201},
            {"event_type": "barbecue"},
            {"check_in_minutes_before": 1441},
            {"max_attendees": 0},
            {"allowed_rsvp_statuses": ["going", "waitlisted"]},
            {"requires_rsvp": True},  # no deadline
            {"end_datetime": iso(in_days(7))},  # end == start
            {"end_datetime": iso(in_days(6))},  # end before start
            {"location": "x" * 301},
            {"description": "x" * 10_001},
            # Beyond any calendar: no UTC time, or outside what the database holds.
            {"start_datetime": "0001-01-01T00:00:00+01:00"},
            {"start_datetime": "1899-12-31T00:00:00Z", "end_datetime": "1899-12-31T02:00:00Z"},
            {"end_datetime": "9999-12-31T23:00:00-05:00"},
        ],
    )
    def test_schema_rules_are_422(self, dept: Department, fields: dict[str, Any]) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.post(EVENTS, json=event_body(**fields))
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "LB-VAL-001"

    def test_required_fields_are_named(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.post(EVENTS, json={"title": "Drill"})
        assert response.status_code == 422
        assert errors_of(response.json()) == ["event_type"]  # the first missing one

    @pytest.mark.parametrize("field", ["custom_fields", "attachments"])
    def test_a_document_nested_deeper_than_the_database_takes_is_refused(
        self, dept: Department, field: str
    ) -> None:
        # MariaDB's JSON check refuses a document nested deeper than 32 levels: it was a 503;
        # every body nested deeper than MAX_JSON_DEPTH is refused before it is read.
        def nested(depth: int) -> dict[str, Any]:
            document: dict[str, Any] = {"leaf": True}
            for _ in range(depth - 1):
                document = {"next": document}
            return document

        def value(depth: int) -> Any:
            return nested(depth) if field == "custom_fields" else [nested(depth - 1)]

        with dept.signed_in(dept.admin_username) as admin:
            kept = admin.post(EVENTS, json=event_body(**{field: value(16)}))
            refused = admin.post(EVENTS, json=event_body(**{field: value(40)}))
            assert kept.status_code == 201, kept.text
            edited = admin.patch(f"{EVENTS}/{kept.json()['id']}", json={field: value(40)})
            read = admin.get(f"{EVENTS}/{kept.json()['id']}").json()
        assert kept.json()[field] == value(16)
        for response in (refused, edited):
            assert response.status_code == 400, response.text
            assert response.json()["detail"] == "Malformed JSON body"
        assert read[field] == value(16)

    def test_a_deadline_not_before_the_start_is_400(self, dept: Department) -> None:
        start = in_days(7)
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.post(
                EVENTS, json=event_body(requires_rsvp=True, rsvp_deadline=iso(start))
            )
        assert response.status_code == 400
        assert "rsvp_deadline" in response.json()["detail"]

    def test_another_organizations_location_is_400(self, dept: Department) -> None:
        foreign = seed_location(dept, dept.second_organization())
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.post(EVENTS, json=event_body(location_id=foreign))
        assert response.status_code == 400
        assert response.json()["detail"] == "Location not found"

    def test_a_double_booking_is_409_naming_up_to_three_clashes(self, dept: Department) -> None:
        room = seed_location(dept)
        start = in_days(9)
        titles = []
        for hour in range(4):
            title = f"Block {hour}"
            seed_event(
                dept,
                title=title,
                location_id=room,
                start_datetime=start + timedelta(hours=hour),
                end_datetime=start + timedelta(hours=hour + 1),
            )
            titles.append(title)
        body = event_body(
            location_id=room,
            start_datetime=iso(start),
            end_datetime=iso(start + timedelta(hours=4)),
        )
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.post(EVENTS, json=body)
        assert response.status_code == 409
        detail = response.json()["detail"]
        assert [title in detail for title in titles] == [True, True, True, False]

    def test_touching_cancelled_and_elsewhere_events_do_not_clash_but_drafts_do(
        self, dept: Department
    ) -> None:
        room, other_room = seed_location(dept), seed_location(dept)
        start = in_days(9)
        two_hours = timedelta(hours=2)
        seed_event(dept, location_id=room, start_datetime=start - two_hours, end_datetime=start)
        seed_event(
            dept,
            location_id=room,
            start_datetime=start + two_hours,
            end_datetime=start + 2 * two_hours,
        )
        seed_event(
            dept,
            location_id=room,
            start_datetime=start,
            end_datetime=start + two_hours,
            is_cancelled=True,
        )
        seed_event(
            dept, location_id=other_room, start_datetime=start, end_datetime=start + two_hours
        )
        body = event_body(
            location_id=room, start_datetime=iso(start), end_datetime=iso(start + two_hours)
        )
        with dept.signed_in(dept.admin_username) as admin:
            assert admin.post(EVENTS, json=body).status_code == 201
            seed_event(
                dept,
                title="Draft plan",
                location_id=other_room,
                start_datetime=start + two_hours,
                end_datetime=start + 2 * two_hours,
                is_draft=True,
            )
            clash = admin.post(
                EVENTS,
                json=event_body(
                    location_id=other_room,
                    start_datetime=iso(start + two_hours),
                    end_datetime=iso(start + 2 * two_hours),
                ),
            )
        assert clash.status_code == 409
        assert "Draft plan" in clash.json()["detail"]


class TestDrafts:
    def test_drafts_are_hidden_from_members_and_shown_to_managers_who_ask(
        self, dept: Department
    ) -> None:
        draft = seed_event(dept, is_draft=True)
        published = seed_event(dept)
        _, member_name = dept.add_member("member")
        with dept.signed_in(member_name) as member:
            assert member.get(f"{EVENTS}/{draft}").status_code == 404
            seen = {
                item["id"] for item in member.get(EVENTS, params={"include_drafts": True}).json()
            }
        assert published in seen
        assert draft not in seen
        with dept.signed_in(manager(dept)) as boss:
            assert boss.get(f"{EVENTS}/{draft}").status_code == 200
            hidden = {item["id"] for item in boss.get(EVENTS).json()}
            shown = {
                item["id"] for item in boss.get(EVENTS, params={"include_drafts": True}).json()
            }
        assert draft not in hidden
        assert draft in shown

    def test_publish_makes_a_draft_visible_once(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            draft = create_event(admin, is_draft=True)
            published = admin.post(f"{EVENTS}/{draft['id']}/publish")
            again = admin.post(f"{EVENTS}/{draft['id']}/publish")
        assert published.status_code == 200
        assert published.json()["is_draft"] is False
        assert again.status_code == 400
        assert audit_types(dept, draft["id"]) == ["event_created", "event_published"]
        assert [data["event_id"] for data in outbox_data(dept, "logbook.api.event.published")] == [
            draft["id"]
        ]

    def test_an_edit_may_turn_an_event_back_into_a_draft(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            created = create_event(admin)
            edited = admin.patch(f"{EVENTS}/{created['id']}", json={"is_draft": True})
        assert edited.json()["is_draft"] is True


class TestList:
    def test_a_bare_array_by_start_with_counts_and_the_callers_status(
        self, dept: Department
    ) -> None:
        later = seed_event(dept, start_datetime=in_days(5), end_datetime=in_days(5, hour=20))
        sooner = seed_event(dept, start_datetime=in_days(3), end_datetime=in_days(3, hour=20))
        me, me_name = dept.add_member("member")
        seed_rsvp(dept, later, me, status="going")
        seed_rsvp(dept, later, dept.add_member("member")[0], status="waitlisted")
        seed_rsvp(dept, later, dept.add_member("member")[0], status="not_going")
        with dept.signed_in(me_name) as member:
            response = member.get(EVENTS)
        listed = response.json()
        assert isinstance(listed, list)
        assert set(listed[0]) == LIST_FIELDS
        ids = [item["id"] for item in listed]
        assert ids.index(sooner) < ids.index(later)
        row = next(item for item in listed if item["id"] == later)
        assert (row["rsvp_count"], row["going_count"], row["user_rsvp_status"]) == (3, 1, "going")
        first = next(item for item in listed if item["id"] == sooner)
        assert (first["rsvp_count"], first["going_count"], first["user_rsvp_status"]) == (
            0,
            0,
            None,
        )

    def test_the_dashboard_call_lists_the_members_upcoming_events(self, dept: Department) -> None:
        past = seed_event(dept, start_datetime=in_days(-2), end_datetime=in_days(-2, hour=20))
        upcoming = [
            seed_event(dept, start_datetime=in_days(n), end_datetime=in_days(n, hour=20))
            for n in range(1, 8)
        ]
        me, me_name = dept.add_member("member")
        seed_rsvp(dept, upcoming[0], me, status="maybe")
        with dept.signed_in(me_name) as member:
            listed = member.get(
                EVENTS, params={"end_after": iso(in_days(0, hour=0)), "limit": 5}
            ).json()
        assert [item["id"] for item in listed] == upcoming[:5]
        assert past not in [item["id"] for item in listed]
        assert listed[0]["user_rsvp_status"] == "maybe"

    def test_time_bounds_are_inclusive(self, dept: Department) -> None:
        start, end = in_days(4), in_days(4, hour=20)
        event_id = seed_event(dept, start_datetime=start, end_datetime=end)
        bounds = [
            {"start_after": iso(start)},
            {"start_before": iso(start)},
            {"end_after": iso(end)},
            {"end_before": iso(end)},
        ]
        with dept.signed_in(dept.admin_username) as admin:
            for params in bounds:
                ids = [item["id"] for item in admin.get(EVENTS, params=params).json()]
                assert event_id in ids, params
            later = admin.get(EVENTS, params={"start_after": iso(start + timedelta(seconds=1))})
        assert event_id not in [item["id"] for item in later.json()]

    def test_type_category_and_cancelled_filters(self, dept: Department) -> None:
        training = seed_event(dept, event_type="training", custom_category="hose")
        social = seed_event(dept, event_type="social")
        untyped = seed_event(dept, event_type=None)
        cancelled = seed_event(dept, is_cancelled=True)
        with dept.signed_in(dept.admin_username) as admin:

            def ids(**params: Any) -> set[str]:
                return {item["id"] for item in admin.get(EVENTS, params=params).json()}

            assert ids(event_type="TRAINING") == {training}
            assert ids(custom_category="hose") == {training}
            assert social not in ids(exclude_event_types="social,ceremony")
            assert untyped in ids(exclude_event_types="social")
            assert untyped not in ids(exclude_event_types="social,other")
            assert cancelled not in ids()
            assert cancelled in ids(include_cancelled=True)
            bad = admin.get(EVENTS, params={"exclude_event_types": "social,picnic"})
        assert bad.status_code == 422

    def test_paging_and_bounds(self, dept: Department) -> None:
        made = [
            seed_event(dept, start_datetime=in_days(n), end_datetime=in_days(n, hour=20))
            for n in range(1, 5)
        ]
        with dept.signed_in(dept.admin_username) as admin:
            page = admin.get(EVENTS, params={"skip": 1, "limit": 2}).json()
            assert admin.get(EVENTS, params={"limit": 501}).status_code == 422
            assert admin.get(EVENTS, params={"limit": 0}).status_code == 422
            assert admin.get(EVENTS, params={"end_after": "tomorrow"}).status_code == 422
        assert [item["id"] for item in page] == made[1:3]


class TestEdit:
    def test_only_sent_fields_change_and_null_clears(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            created = create_event(admin, description="Old", location="Bay 2")
            edited = admin.patch(
                f"{EVENTS}/{created['id']}", json={"description": None, "max_attendees": 5}
            )
        body = edited.json()
        assert edited.status_code == 200
        assert body["description"] is None
        assert body["max_attendees"] == 5
        assert body["location"] == "Bay 2"
        assert body["title"] == created["title"]

    def test_times_are_checked_on_the_merged_values(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            created = create_event(admin)
            early_end = admin.patch(
                f"{EVENTS}/{created['id']}", json={"end_datetime": created["start_datetime"]}
            )
            late_start = admin.patch(
                f"{EVENTS}/{created['id']}",
                json={"start_datetime": iso(in_days(30))},
            )
            deadline = admin.patch(
                f"{EVENTS}/{created['id']}",
                json={"requires_rsvp": True, "rsvp_deadline": created["end_datetime"]},
            )
        assert early_end.status_code == 400
        assert late_start.status_code == 400
        assert deadline.status_code == 400

    def test_a_cancelled_event_cannot_be_edited(self, dept: Department) -> None:
        event_id = seed_event(dept, is_cancelled=True)
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.patch(f"{EVENTS}/{event_id}", json={"title": "Back on"})
        assert response.status_code == 400
        assert response.json()["detail"] == "Event is cancelled"

    def test_location_ownership_and_booking_are_checked_again_excluding_itself(
        self, dept: Department
    ) -> None:
        room = seed_location(dept)
        start = in_days(12)
        seed_event(
            dept,
            title="Taken slot",
            location_id=room,
            start_datetime=start + timedelta(hours=3),
            end_datetime=start + timedelta(hours=5),
        )
        foreign = seed_location(dept, dept.second_organization())
        body = event_body(
            location_id=room,
            start_datetime=iso(start),
            end_datetime=iso(start + timedelta(hours=2)),
        )
        with dept.signed_in(dept.admin_username) as admin:
            created = admin.post(EVENTS, json=body).json()
            path = f"{EVENTS}/{created['id']}"
            longer = admin.patch(path, json={"end_datetime": iso(start + timedelta(hours=3))})
            into = admin.patch(path, json={"end_datetime": iso(start + timedelta(hours=4))})
            moved = admin.patch(path, json={"location_id": foreign})
            renamed = admin.patch(path, json={"title": "Same slot"})
        assert longer.status_code == 200  # overlaps only itself, touches the next one
        assert into.status_code == 409
        assert "Taken slot" in into.json()["detail"]
        assert moved.status_code == 400
        assert renamed.status_code == 200

    def test_a_significant_edit_names_the_going_and_maybe_members(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            created = create_event(admin)
            path = f"{EVENTS}/{created['id']}"
            going, maybe, no = (dept.add_member("member")[0] for _ in range(3))
            seed_rsvp(dept, created["id"], going, status="going")
            seed_rsvp(dept, created["id"], maybe, status="maybe")
            seed_rsvp(dept, created["id"], no, status="not_going")
            admin.patch(path, json={"description": "Minor note"})
            admin.patch(path, json={"start_datetime": iso(in_days(7, hour=17))})
            admin.patch(path, json={"title": created["title"]})  # no real change
        updates = outbox_data(dept, "logbook.api.event.updated")
        assert [data["changed_fields"] for data in updates] == [
            ["description"],
            ["start_datetime"],
        ]
        assert [data["significant"] for data in updates] == [False, True]
        assert updates[0]["recipient_ids"] == []
        assert sorted(updates[1]["recipient_ids"]) == sorted([going, maybe])
        assert audit_types(dept, created["id"]) == [
            "event_created",
            "event_updated",
            "event_updated",
        ]


class TestCancelAndDelete:
    def test_cancel_needs_a_reason_and_happens_once(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            created = create_event(admin)
            path = f"{EVENTS}/{created['id']}/cancel"
            short = admin.post(path, json={"cancellation_reason": "too short"})
            cancelled = admin.post(path, json=REASON)
            again = admin.post(path, json=REASON)
        assert short.status_code == 422
        assert cancelled.status_code == 200
        body = cancelled.json()
        assert body["is_cancelled"] is True
        assert body["cancellation_reason"] == REASON["cancellation_reason"]
        assert body["cancelled_at"].endswith("Z")
        assert again.status_code == 400
        assert audit_types(dept, created["id"]) == ["event_created", "event.cancelled"]

    def test_cancel_names_the_members_to_tell_only_when_asked(self, dept: Department) -> None:
        quiet, loud = seed_event(dept), seed_event(dept)
        going = dept.add_member("member")[0]
        for event_id in (quiet, loud):
            seed_rsvp(dept, event_id, going, status="going")
        with dept.signed_in(dept.admin_username) as admin:
            admin.post(f"{EVENTS}/{quiet}/cancel", json=REASON)
            admin.post(f"{EVENTS}/{loud}/cancel", json={**REASON, "send_notifications": True})
        sent = {data["event_id"]: data for data in outbox_data(dept, "logbook.api.event.cancelled")}
        assert sent[quiet]["recipient_ids"] == []
        assert sent[loud]["recipient_ids"] == [going]
        assert sent[loud]["reason"] == REASON["cancellation_reason"]

    def test_delete_removes_the_event_with_its_rsvps(self, dept: Department) -> None:
        event_id = seed_event(dept)
        seed_rsvp(dept, event_id, dept.add_member("member")[0])
        with dept.signed_in(dept.admin_username) as admin:
            deleted = admin.delete(f"{EVENTS}/{event_id}")
            gone = admin.get(f"{EVENTS}/{event_id}")
            twice = admin.delete(f"{EVENTS}/{event_id}")
        assert deleted.status_code == 204
        assert gone.status_code == 404
        assert twice.status_code == 404
        assert (
            dept.query("SELECT id FROM event_rsvps WHERE event_id = %s", event_id.replace("-", ""))
            == []
        )
        assert audit_types(dept, event_id) == ["event_deleted"]
        assert [data["event_id"] for data in outbox_data(dept, "logbook.api.event.deleted")] == [
            event_id
        ]

    def test_create_writes_its_audit_entry_and_event(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            created = create_event(admin, is_draft=True)
        assert audit_types(dept, created["id"]) == ["event_created"]
        (data,) = outbox_data(dept, "logbook.api.event.created")
        assert data["event_id"] == created["id"]
        assert data["is_draft"] is True
        assert data["event_type"] == "business_meeting"


class TestVisibleEventTypes:
    def test_defaults_when_the_organization_has_no_event_settings(self, dept: Department) -> None:
        _, member_name = dept.add_member("member")
        with dept.signed_in(member_name) as member:
            body = member.get(VISIBLE_TYPES).json()
        assert body["visible_event_types"] == [
            "business_meeting",
            "public_education",
            "training",
            "other",
        ]
        assert body["custom_event_categories"] == []
        assert body["visible_custom_categories"] == []
        assert [tier["value"] for tier in body["membership_types"]] == [
            "probationary",
            "active",
            "senior",
            "life",
        ]

    def test_the_organizations_settings_and_tiers_in_their_order(self, dept: Department) -> None:
        settings = {
            "events": {
                "visible_event_types": ["training", "social"],
                "custom_event_categories": [{"value": "hose", "label": "Hose", "color": "red"}],
                "visible_custom_categories": ["hose"],
            },
            "membership_tiers": {
                "tiers": [
                    {"id": "life", "name": "Life member", "sort_order": 2},
                    {"id": "cadet", "name": "Cadet", "sort_order": 1},
                ]
            },
        }
        set_organization(dept, settings=settings)
        with dept.signed_in(dept.admin_username) as admin:
            body = admin.get(VISIBLE_TYPES).json()
        assert body["visible_event_types"] == ["training", "social"]
        assert body["custom_event_categories"] == [
            {"value": "hose", "label": "Hose", "color": "red"}
        ]
        assert body["visible_custom_categories"] == ["hose"]
        assert body["membership_types"] == [
            {"value": "cadet", "label": "Cadet"},
            {"value": "life", "label": "Life member"},
        ]

    @pytest.mark.parametrize(
        "events",
        [
            {"visible_event_types": 5, "custom_event_categories": "hose"},
            {"visible_event_types": [["training"], "TRAINING", None, "training"]},
            {"custom_event_categories": [{"value": {"a": 1}}, {"value": "hose", "color": 3}]},
            {"visible_custom_categories": {"hose": True}},
            "not a section",
        ],
    )
    def test_a_malformed_events_section_falls_back_instead_of_a_500(
        self, dept: Department, events: object
    ) -> None:
        # `events` is a free key of the settings document: stored as the admin sent it.
        with dept.signed_in(dept.admin_username) as admin:
            saved = admin.patch("/api/v1/organization/settings", json={"events": events})
            assert saved.status_code == 200, saved.text
            response = admin.get(VISIBLE_TYPES)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body["visible_event_types"]) <= {
            "business_meeting",
            "public_education",
            "training",
            "other",
        }
        assert all(isinstance(entry["value"], str) for entry in body["custom_event_categories"])
        assert all(
            entry["color"] is None or isinstance(entry["color"], str)
            for entry in body["custom_event_categories"]
        )
        assert all(isinstance(value, str) for value in body["visible_custom_categories"])


class TestPermissionsAndTenancy:
    def manage_routes(self, event_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
        return [
            ("POST", EVENTS, event_body()),
            ("PATCH", f"{EVENTS}/{event_id}", {"title": "Renamed"}),
            ("POST", f"{EVENTS}/{event_id}/publish", None),
            ("POST", f"{EVENTS}/{event_id}/cancel", REASON),
            ("DELETE", f"{EVENTS}/{event_id}", None),
        ]

    def test_members_may_read_but_not_manage(self, dept: Department) -> None:
        event_id = seed_event(dept, is_draft=True)
        shown = seed_event(dept)
        _, member_name = dept.add_member("member")
        with dept.signed_in(member_name) as member:
            assert member.get(EVENTS).status_code == 200
            assert member.get(f"{EVENTS}/{shown}").status_code == 200
            assert member.get(VISIBLE_TYPES).status_code == 200
            for method, path, body in self.manage_routes(event_id):
                response = member.request(method, path, json=body)
                assert response.status_code == 403, (method, path)
                assert response.json()["code"] == "LB-PERM-001"

    def test_events_manage_alone_is_enough_to_manage(self, dept: Department) -> None:
        event_id = seed_event(dept, is_draft=True)
        with dept.signed_in(manager(dept)) as boss:
            statuses = [
                boss.request(method, path, json=body).status_code
                for method, path, body in self.manage_routes(event_id)
            ]
        assert statuses == [201, 200, 200, 200, 204]

    @pytest.mark.parametrize(
        ("permissions", "manages"),
        [
            (["events.*"], True),
            (["*"], True),
            # Defined by the original but never checked in this slice (§1): they grant nothing.
            (["events.view", "events.create", "events.edit", "events.delete"], False),
        ],
    )
    def test_permission_matching_for_routes_and_drafts(
        self, dept: Department, permissions: list[str], manages: bool
    ) -> None:
        draft = seed_event(dept, is_draft=True)
        user_id, username = dept.add_member("member")
        dept.assign(user_id, dept.add_role(permissions))
        with dept.signed_in(username) as client:
            created = client.post(EVENTS, json=event_body())
            detail = client.get(f"{EVENTS}/{draft}")
            listed = client.get(EVENTS, params={"include_drafts": "true"}).json()
        assert created.status_code == (201 if manages else 403)
        assert detail.status_code == (200 if manages else 404)
        assert (draft in [item["id"] for item in listed]) is manages

    def test_without_a_session_every_route_is_401(self, dept: Department) -> None:
        event_id = seed_event(dept)
        with dept.client() as anonymous:
            assert anonymous.get(EVENTS).status_code == 401
            assert anonymous.get(f"{EVENTS}/{event_id}").status_code == 401
            assert anonymous.get(VISIBLE_TYPES).status_code == 401

    def test_another_organizations_event_is_unknown(self, dept: Department) -> None:
        foreign = seed_event(dept, dept.second_organization())
        with dept.signed_in(dept.admin_username) as admin:
            assert foreign not in {item["id"] for item in admin.get(EVENTS).json()}
            assert admin.get(f"{EVENTS}/{foreign}").status_code == 404
            for method, path, body in self.manage_routes(foreign)[1:]:
                response = admin.request(method, path, json=body)
                assert response.status_code == 404, (method, path)
        assert dept.query(
            "SELECT is_cancelled, title FROM events WHERE id = %s", foreign.replace("-", "")
        )[0]["is_cancelled"] in (0, False)


class TestDashboardFigures:
    def test_upcoming_and_recent_counts_leave_drafts_and_cancelled_events_out(
        self, dept: Department
    ) -> None:
        for days in (1, 20, 400):
            seed_event(dept, start_datetime=in_days(days), end_datetime=in_days(days, hour=20))
        seed_event(dept, start_datetime=in_days(2), end_datetime=in_days(2, hour=20), is_draft=True)
        seed_event(
            dept, start_datetime=in_days(3), end_datetime=in_days(3, hour=20), is_cancelled=True
        )
        for days in (-3, -29):
            seed_event(dept, start_datetime=in_days(days), end_datetime=in_days(days, hour=20))
        seed_event(dept, start_datetime=in_days(-40), end_datetime=in_days(-40, hour=20))
        seed_event(dept, dept.second_organization())
        with dept.signed_in(dept.admin_username) as admin:
            summary = admin.get("/api/v1/dashboard/admin-summary").json()
            stats = admin.get("/api/v1/dashboard/stats").json()
        assert summary["upcoming_events_count"] == 3
        assert stats["recent_events_count"] == 2
