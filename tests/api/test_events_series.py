"""Recurring series in-process (spec events.md §3 #9 to #11, §4.3, §7): the department's wall
clock across a daylight-saving change, local exception dates, parent and child storage, the
422 and 400 rules, cancelling and deleting a series (future only, by a child's id)."""

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.api.department import Department
from tests.api.events_support import (
    EVENTS,
    RECURRING,
    audit_types,
    event_body,
    in_days,
    iso,
    manager,
    outbox_data,
    seed_event,
    seed_location,
    set_organization,
)

NEW_YORK = ZoneInfo("America/New_York")
REASON = {"cancellation_reason": "Station closed for renovation"}
PARENT_ONLY = (
    "recurrence_end_date",
    "recurrence_custom_days",
    "recurrence_weekday",
    "recurrence_week_ordinal",
    "recurrence_month",
    "recurrence_exceptions",
)


@pytest.fixture
def dept(department: Department) -> Department:
    set_organization(department, timezone="America/New_York")
    return department


def local(hour: int, *day: int, minute: int = 0) -> datetime:
    """A New York wall-clock time."""
    return datetime(*day, hour, minute, tzinfo=NEW_YORK)


def series_body(start: datetime, hours: int = 2, **fields: Any) -> dict[str, Any]:
    return event_body(
        start_datetime=iso(start),
        end_datetime=iso(start + timedelta(hours=hours)),
        **{"recurrence_pattern": "weekly", **fields},
    )


def create_series(dept: Department, body: dict[str, Any]) -> list[dict[str, Any]]:
    with dept.signed_in(dept.admin_username) as admin:
        response = admin.post(RECURRING, json=body)
    assert response.status_code == 201, response.text
    return list(response.json())


def new_york(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(NEW_YORK)


class TestWallClock:
    def test_a_weekly_1900_drill_stays_at_1900_across_the_november_change(
        self, dept: Department
    ) -> None:
        first = local(19, 2027, 10, 20)  # a Wednesday, daylight time
        made = create_series(
            dept,
            series_body(first, recurrence_end_date=iso(local(23, 2027, 11, 24, minute=59))),
        )
        starts = [new_york(event["start_datetime"]) for event in made]
        assert [start.date().isoformat() for start in starts] == [
            "2027-10-20",
            "2027-10-27",
            "2027-11-03",
            "2027-11-10",
            "2027-11-17",
            "2027-11-24",
        ]
        assert {(start.hour, start.minute) for start in starts} == {(19, 0)}
        assert {new_york(event["end_datetime"]).hour for event in made} == {21}
        # The UTC instants move by an hour when the clocks go back on November 7.
        assert made[2]["start_datetime"] == "2027-11-03T23:00:00Z"
        assert made[3]["start_datetime"] == "2027-11-11T00:00:00Z"

    def test_exception_dates_are_local_dates(self, dept: Department) -> None:
        # 19:00 in New York in November is midnight UTC the next day.
        first = local(19, 2027, 11, 3)
        made = create_series(
            dept,
            series_body(
                first,
                recurrence_end_date=iso(local(23, 2027, 11, 24)),
                recurrence_exceptions=["2027-11-10"],
            ),
        )
        days = [new_york(event["start_datetime"]).date().isoformat() for event in made]
        assert days == ["2027-11-03", "2027-11-17", "2027-11-24"]

    def test_rsvp_deadlines_keep_their_distance_from_each_start(self, dept: Department) -> None:
        first = local(19, 2027, 10, 20)
        made = create_series(
            dept,
            series_body(
                first,
                requires_rsvp=True,
                rsvp_deadline=iso(first - timedelta(days=2)),
                recurrence_end_date=iso(local(23, 2027, 11, 10)),
            ),
        )
        for event in made:
            start = datetime.fromisoformat(event["start_datetime"])
            deadline = datetime.fromisoformat(event["rsvp_deadline"])
            assert start - deadline == timedelta(days=2)
            assert event["allowed_rsvp_statuses"] == ["going", "not_going"]


class TestStorage:
    def test_the_parent_carries_the_recurrence_and_the_children_point_to_it(
        self, dept: Department
    ) -> None:
        room = seed_location(dept, name="Apparatus bay")
        made = create_series(
            dept,
            series_body(
                in_days(3),
                location_id=room,
                recurrence_end_date=iso(in_days(24)),
                recurrence_exceptions=[],
            ),
        )
        parent, *children = made
        assert len(children) == 3
        assert [event["start_datetime"] for event in made] == sorted(
            event["start_datetime"] for event in made
        )
        assert parent["is_recurring"] is True
        assert parent["recurrence_parent_id"] is None
        assert parent["recurrence_pattern"] == "weekly"
        assert parent["recurrence_end_date"] is not None
        assert parent["location_name"] == "Apparatus bay"
        for child in children:
            assert child["is_recurring"] is True
            assert child["recurrence_parent_id"] == parent["id"]
            assert child["recurrence_pattern"] == "weekly"
            assert child["title"] == parent["title"]
            assert child["location_name"] == "Apparatus bay"
            assert all(child[field] is None for field in PARENT_ONLY)
        assert audit_types(dept, parent["id"]) == ["event_created"]
        (created,) = outbox_data(dept, "logbook.api.event.series_created")
        assert created["parent_id"] == parent["id"]
        assert created["occurrence_ids"] == [event["id"] for event in made]
        assert created["pattern"] == "weekly"

    def test_a_series_is_listed_like_single_events(self, dept: Department) -> None:
        made = create_series(dept, series_body(in_days(2), recurrence_end_date=iso(in_days(16))))
        with dept.signed_in(dept.admin_username) as admin:
            listed = admin.get(EVENTS).json()
        rows = {item["id"]: item for item in listed}
        assert all(rows[event["id"]]["is_recurring"] for event in made)
        assert rows[made[1]["id"]]["recurrence_parent_id"] == made[0]["id"]

    def test_a_rolling_series_without_an_end_runs_a_year(self, dept: Department) -> None:
        made = create_series(dept, series_body(in_days(1), rolling_recurrence=True))
        first = datetime.fromisoformat(made[0]["start_datetime"])
        last = datetime.fromisoformat(made[-1]["start_datetime"])
        assert len(made) in (52, 53)
        assert timedelta(days=357) <= last - first <= timedelta(days=366)
        assert made[0]["rolling_recurrence"] is True


class TestRules:
    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"recurrence_pattern": None}, "recurrence_pattern"),
            ({"recurrence_pattern": "fortnightly"}, "recurrence_pattern"),
            ({}, "recurrence_end_date"),
            ({"recurrence_pattern": "custom"}, "recurrence_custom_days"),
            (
                {"recurrence_pattern": "custom", "recurrence_custom_days": [7]},
                "recurrence_custom_days.0",
            ),
            (
                {"recurrence_pattern": "monthly_weekday", "recurrence_week_ordinal": 2},
                "recurrence_weekday",
            ),
            (
                {"recurrence_pattern": "monthly_weekday", "recurrence_weekday": 1},
                "recurrence_week_ordinal",
            ),
            (
                {
                    "recurrence_pattern": "annually_weekday",
                    "recurrence_weekday": 3,
                    "recurrence_week_ordinal": -1,
                },
                "recurrence_month",
            ),
            ({"recurrence_week_ordinal": 6}, "recurrence_week_ordinal"),
            ({"recurrence_exceptions": ["next tuesday"]}, "recurrence_exceptions.0"),
        ],
    )
    def test_recurrence_rules_are_422_naming_the_field(
        self, dept: Department, fields: dict[str, Any], field: str
    ) -> None:
        body = series_body(in_days(3), **fields)
        if "recurrence_end_date" not in fields and field != "recurrence_end_date":
            body["recurrence_end_date"] = iso(in_days(60))
        if fields.get("recurrence_pattern") is None and "recurrence_pattern" in fields:
            del body["recurrence_pattern"]
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.post(RECURRING, json=body)
        assert response.status_code == 422, response.text
        assert [entry["field"] for entry in response.json()["detail"]] == [field]

    def test_no_occurrence_and_too_many_are_400(self, dept: Department) -> None:
        start = in_days(3)
        only_day = start.astimezone(NEW_YORK).date().isoformat()
        with dept.signed_in(dept.admin_username) as admin:
            excepted = admin.post(
                RECURRING,
                json=series_body(
                    start,
                    recurrence_end_date=iso(start + timedelta(days=3)),
                    recurrence_exceptions=[only_day],
                ),
            )
            ended_before = admin.post(
                RECURRING,
                json=series_body(start, recurrence_end_date=iso(start - timedelta(days=2))),
            )
            too_many = admin.post(
                RECURRING,
                json=series_body(
                    start,
                    recurrence_pattern="daily",
                    recurrence_end_date=iso(start + timedelta(days=400)),
                ),
            )
        assert excepted.status_code == 400
        assert ended_before.status_code == 400
        assert too_many.status_code == 400
        assert "365" in too_many.json()["detail"]

    def test_the_event_rules_apply_to_a_series(self, dept: Department) -> None:
        start = in_days(3)
        foreign = seed_location(dept, dept.second_organization())
        with dept.signed_in(dept.admin_username) as admin:
            wrong_order = admin.post(
                RECURRING,
                json={
                    **series_body(start, recurrence_end_date=iso(in_days(30))),
                    "end_datetime": iso(start - timedelta(hours=1)),
                },
            )
            elsewhere = admin.post(
                RECURRING,
                json=series_body(start, location_id=foreign, recurrence_end_date=iso(in_days(30))),
            )
        assert wrong_order.status_code == 422
        assert elsewhere.status_code == 400
        assert elsewhere.json()["detail"] == "Location not found"


def past_and_future_series(dept: Department) -> tuple[str, list[str], list[str]]:
    """A weekly series seeded directly: two past occurrences (the parent first), two future."""
    parent = seed_event(
        dept,
        start_datetime=in_days(-14),
        end_datetime=in_days(-14, hour=20),
        is_recurring=True,
        recurrence_pattern="weekly",
    )
    children = [
        seed_event(
            dept,
            start_datetime=in_days(days),
            end_datetime=in_days(days, hour=20),
            is_recurring=True,
            recurrence_pattern="weekly",
            recurrence_parent_id=uuid.UUID(parent),
        )
        for days in (-7, 7, 14)
    ]
    return parent, [parent, children[0]], children[1:]


def cancelled_ids(dept: Department, ids: list[str]) -> set[str]:
    with dept.signed_in(dept.admin_username) as admin:
        return {
            event_id for event_id in ids if admin.get(f"{EVENTS}/{event_id}").json()["is_cancelled"]
        }


class TestCancelSeries:
    def test_a_childs_id_cancels_the_whole_series_once(self, dept: Department) -> None:
        parent, past, future = past_and_future_series(dept)
        with dept.signed_in(dept.admin_username) as admin:
            answer = admin.post(f"{EVENTS}/{future[0]}/cancel-series", json=REASON)
            again = admin.post(f"{EVENTS}/{parent}/cancel-series", json=REASON)
        assert answer.status_code == 200
        assert answer.json()["cancelled_count"] == 4
        assert answer.json()["message"]
        assert again.status_code == 404
        assert cancelled_ids(dept, past + future) == set(past + future)
        assert audit_types(dept, parent) == ["event.series_cancelled"]
        sent = outbox_data(dept, "logbook.api.event.cancelled")
        assert sorted(data["event_id"] for data in sent) == sorted(past + future)
        assert {data["series_parent_id"] for data in sent} == {parent}
        assert all(data["recipient_ids"] == [] for data in sent)

    def test_future_only_leaves_past_occurrences_alone(self, dept: Department) -> None:
        parent, past, future = past_and_future_series(dept)
        with dept.signed_in(dept.admin_username) as admin:
            answer = admin.post(
                f"{EVENTS}/{parent}/cancel-series",
                params={"cancel_future_only": True},
                json=REASON,
            )
        assert answer.json()["cancelled_count"] == 2
        assert cancelled_ids(dept, past + future) == set(future)

    def test_already_cancelled_occurrences_are_not_counted(self, dept: Department) -> None:
        parent, _, future = past_and_future_series(dept)
        with dept.signed_in(dept.admin_username) as admin:
            admin.post(f"{EVENTS}/{future[0]}/cancel", json=REASON)
            answer = admin.post(f"{EVENTS}/{parent}/cancel-series", json=REASON)
            short = admin.post(
                f"{EVENTS}/{parent}/cancel-series", json={"cancellation_reason": "x"}
            )
        assert answer.json()["cancelled_count"] == 3
        assert short.status_code == 422


class TestDeleteSeries:
    def test_a_childs_id_deletes_the_whole_series(self, dept: Department) -> None:
        parent, past, future = past_and_future_series(dept)
        with dept.signed_in(dept.admin_username) as admin:
            deleted = admin.delete(f"{EVENTS}/{past[1]}/series")
            again = admin.delete(f"{EVENTS}/{parent}/series")
            left = [admin.get(f"{EVENTS}/{event_id}").status_code for event_id in past + future]
        assert deleted.status_code == 204
        assert again.status_code == 404
        assert left == [404, 404, 404, 404]
        assert audit_types(dept, parent) == ["event.series_deleted"]
        sent = outbox_data(dept, "logbook.api.event.deleted")
        assert sorted(data["event_id"] for data in sent) == sorted(past + future)

    def test_future_only_keeps_the_past(self, dept: Department) -> None:
        parent, past, future = past_and_future_series(dept)
        with dept.signed_in(dept.admin_username) as admin:
            deleted = admin.delete(f"{EVENTS}/{parent}/series", params={"delete_future_only": True})
            left = {
                event_id: admin.get(f"{EVENTS}/{event_id}").status_code
                for event_id in past + future
            }
        assert deleted.status_code == 204
        assert left == {**dict.fromkeys(past, 200), **dict.fromkeys(future, 404)}

    def test_a_single_events_series_is_itself(self, dept: Department) -> None:
        alone = seed_event(dept)
        with dept.signed_in(dept.admin_username) as admin:
            assert admin.delete(f"{EVENTS}/{alone}/series").status_code == 204
            assert admin.get(f"{EVENTS}/{alone}").status_code == 404


class TestPermissionsAndTenancy:
    def routes(self, event_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
        return [
            ("POST", f"{EVENTS}/{event_id}/cancel-series", REASON),
            ("DELETE", f"{EVENTS}/{event_id}/series", None),
        ]

    def test_members_may_not_and_events_manage_may(self, dept: Department) -> None:
        parent, _, _ = past_and_future_series(dept)
        body = series_body(in_days(2), recurrence_end_date=iso(in_days(10)))
        _, member_name = dept.add_member("member")
        with dept.signed_in(member_name) as member:
            assert member.post(RECURRING, json=body).status_code == 403
            for method, path, data in self.routes(parent):
                assert member.request(method, path, json=data).status_code == 403, path
        with dept.signed_in(manager(dept)) as boss:
            assert boss.post(RECURRING, json=body).status_code == 201
            statuses = [
                boss.request(method, path, json=data).status_code
                for method, path, data in self.routes(parent)
            ]
        assert statuses == [200, 204]

    def test_another_organizations_series_is_unknown(self, dept: Department) -> None:
        foreign = seed_event(dept, dept.second_organization(), is_recurring=True)
        with dept.signed_in(dept.admin_username) as admin:
            for method, path, data in self.routes(foreign):
                assert admin.request(method, path, json=data).status_code == 404, path
            assert admin.get(f"{EVENTS}/{foreign}").status_code == 404
        assert dept.query(
            "SELECT is_cancelled FROM events WHERE id = %s", foreign.replace("-", "")
        ) == [{"is_cancelled": 0}]
