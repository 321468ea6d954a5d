"""Training records one at a time in-process (spec training.md §3 #10, #11, #13, #14, §4.2,
§8): who sees which, the create rules (expiration, profile defaults, duplicate warning), edits
with the completion-date [fix], voids; audit entries and events; permissions and tenancy."""

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models import Organization, User
from tests.api.department import Department
from tests.api.training_support import (
    RECORDS,
    audit_entries,
    created,
    officer,
    outbox_events,
    outbox_subjects,
    seed_category,
    seed_course,
    seed_record,
)

RECORD_FIELDS = {
    "id",
    "organization_id",
    "user_id",
    "course_id",
    "category_id",
    "course_name",
    "course_code",
    "training_type",
    "scheduled_date",
    "completion_date",
    "expiration_date",
    "hours_completed",
    "credit_hours",
    "certification_number",
    "issuing_agency",
    "status",
    "score",
    "passing_score",
    "passed",
    "instructor",
    "location",
    "location_id",
    "apparatus_id",
    "external_provider_id",
    "external_record_id",
    "notes",
    "attachments",
    "rank_at_completion",
    "station_at_completion",
    "created_at",
    "updated_at",
    "created_by",
}


@pytest.fixture
def dept(department: Department) -> Department:
    return department


@pytest.fixture
def chief(dept: Department) -> str:
    return officer(dept)


@pytest.fixture
def member(dept: Department) -> tuple[str, str]:
    """A plain member (id, username) with a rank and station on their profile."""
    user_id, username = dept.add_member("member", rank="Lieutenant")

    async def station(session: AsyncSession) -> None:
        user = await session.get(User, uuid.UUID(user_id))
        assert user is not None
        user.station = "Station 2"
        await session.flush()

    dept.run(station)
    return user_id, username


def set_zone(dept: Department, zone: str) -> None:
    """The department's time zone."""

    async def run(session: AsyncSession) -> None:
        organization = await session.get(Organization, uuid.UUID(dept.organization_id))
        assert organization is not None
        organization.timezone = zone
        await session.flush()

    dept.run(run)


def post(dept: Department, username: str, **body: Any) -> dict[str, Any]:
    values = {"course_name": "Pump Ops", "training_type": "refresher", "hours_completed": 3, **body}
    with dept.signed_in(username) as client:
        return created(client.post(RECORDS, json=values))


class TestCreate:
    def test_a_record_is_answered_in_the_spec_shape_with_the_members_rank_and_station(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        record = post(
            dept,
            chief,
            user_id=member[0],
            course_code="PO-1",
            completion_date="2026-03-04",
            score=88.5,
            attachments=["/srv/uploads/org/cert.pdf", "C:\\scans\\card.png"],
        )
        assert set(record) == RECORD_FIELDS
        assert record["status"] == "scheduled"  # the default (§8.1)
        assert record["user_id"] == member[0]
        assert record["hours_completed"] == 3
        assert record["completion_date"] == "2026-03-04"
        assert record["expiration_date"] is None
        assert record["rank_at_completion"] == "Lieutenant"
        assert record["station_at_completion"] == "Station 2"
        assert record["attachments"] == [
            {"index": 0, "file_name": "cert.pdf"},
            {"index": 1, "file_name": "card.png"},
        ]
        assert record["created_at"].endswith("Z")
        assert "_duplicate_warning" not in record

    def test_a_given_rank_and_station_are_kept(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        record = post(
            dept, chief, user_id=member[0], rank_at_completion="Captain", station_at_completion="HQ"
        )
        assert (record["rank_at_completion"], record["station_at_completion"]) == ("Captain", "HQ")

    @pytest.mark.parametrize(
        "case",
        [
            ("2027-01-31", 1, None, "2027-02-28"),  # clamped to the month's end
            ("2028-01-31", 1, None, "2028-02-29"),  # leap year
            ("2026-05-15", 24, None, "2028-05-15"),
            ("2026-05-15", 24, "2030-01-01", "2030-01-01"),  # given: kept
            ("2026-05-15", 0, None, None),  # 0: never expires
            (None, 12, None, None),  # no completion date: nothing to count from
        ],
    )
    def test_the_expiration_comes_from_the_linked_course(
        self,
        dept: Department,
        chief: str,
        member: tuple[str, str],
        case: tuple[str | None, int, str | None, str | None],
    ) -> None:
        completion, months, given, expected = case
        course = seed_course(dept, expiration_months=months)
        record = post(
            dept,
            chief,
            user_id=member[0],
            course_id=course,
            completion_date=completion,
            expiration_date=given,
        )
        assert record["course_id"] == course
        assert record["expiration_date"] == expected

    def test_without_a_course_there_is_no_expiration(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        record = post(dept, chief, user_id=member[0], completion_date="2026-05-15")
        assert record["expiration_date"] is None

    @pytest.mark.parametrize(
        "case",
        [
            ("pump ops", "2026-06-10", True),
            ("PUMP OPS", "2026-06-11", True),
            ("Pump Ops", "2026-06-09", True),
            ("Pump Ops", "2026-06-12", False),
            ("Pump Ops II", "2026-06-10", False),
        ],
    )
    def test_a_likely_duplicate_is_created_with_a_warning(
        self,
        dept: Department,
        chief: str,
        member: tuple[str, str],
        case: tuple[str, str, bool],
    ) -> None:
        name, day, warned = case
        existing = seed_record(
            dept, member[0], course_name="Pump Ops", completion_date=date(2026, 6, 10)
        )
        record = post(dept, chief, user_id=member[0], course_name=name, completion_date=day)
        if warned:
            assert record["_duplicate_warning"]["existing_record_id"] == existing
            assert record["_duplicate_warning"]["message"]
        else:
            assert "_duplicate_warning" not in record

    def test_a_voided_record_or_another_members_is_no_duplicate(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        other, _ = dept.add_member("member")
        seed_record(
            dept,
            member[0],
            course_name="Ropes",
            completion_date=date(2026, 2, 2),
            status="cancelled",
        )
        seed_record(dept, other, course_name="Ropes", completion_date=date(2026, 2, 2))
        record = post(
            dept, chief, user_id=member[0], course_name="Ropes", completion_date="2026-02-02"
        )
        assert "_duplicate_warning" not in record

    def test_it_is_audited_and_announced_completed_ones_twice(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        category = seed_category(dept)
        planned = post(dept, chief, user_id=member[0])
        done = post(
            dept,
            chief,
            user_id=member[0],
            status="COMPLETED",
            category_id=category,
            completion_date="2026-04-01",
            expiration_date="2028-04-01",
        )
        assert outbox_subjects(dept, planned["id"]) == ["logbook.api.training.record_created"]
        events = outbox_events(dept, done["id"])
        assert [subject for subject, _ in events] == [
            "logbook.api.training.record_created",
            "logbook.api.training.record_completed",
        ]
        assert events[0][1]["status"] == "completed"
        assert events[0][1]["course_name"] == "Pump Ops"
        assert events[1][1] == {
            "record_id": done["id"],
            "user_id": member[0],
            "hours_completed": 3.0,
            "category_id": category,
            "completion_date": "2026-04-01",
            "expiration_date": "2028-04-01",
        }
        entries = audit_entries(dept, done["id"])
        assert [name for name, _ in entries] == ["training_record_created"]
        assert entries[0][1]["target_user_id"] == member[0]

    @pytest.mark.parametrize("field", ["user_id", "category_id", "course_id"])
    def test_a_member_category_or_course_of_another_organization_is_404(
        self, dept: Department, chief: str, member: tuple[str, str], field: str
    ) -> None:
        other = dept.second_organization()
        foreign = {
            "user_id": lambda: dept.add_member("member", organization_id=other)[0],
            "category_id": lambda: seed_category(dept, other),
            "course_id": lambda: seed_course(dept, other),
        }[field]()
        body = {"user_id": member[0], field: foreign}
        values = {"course_name": "X", "training_type": "refresher", "hours_completed": 1, **body}
        with dept.signed_in(chief) as client:
            response = client.post(RECORDS, json=values)
        assert response.status_code == 404, response.text
        assert (
            dept.query(
                "SELECT id FROM training_records WHERE user_id = %s", uuid.UUID(member[0]).hex
            )
            == []
        )

    @pytest.mark.parametrize(
        "change",
        [
            {"course_name": None},
            {"course_name": ""},
            {"training_type": "juggling"},
            {"hours_completed": -1},
            {"hours_completed": None},
            {"status": "done"},
            {"completion_date": "0001-01-01"},
            {"completion_date": "2026-13-01"},
            {"certification_number": "x" * 101},
            {"attachments": ["x"] * 101},
        ],
    )
    def test_bodies_breaking_the_constraints_are_422(
        self, dept: Department, chief: str, member: tuple[str, str], change: dict[str, Any]
    ) -> None:
        body = {
            "user_id": member[0],
            "course_name": "X",
            "training_type": "refresher",
            "hours_completed": 1,
            **change,
        }
        with dept.signed_in(chief) as client:
            assert client.post(RECORDS, json=body).status_code == 422


class TestList:
    def test_members_get_only_their_own_whatever_they_ask(
        self, dept: Department, member: tuple[str, str]
    ) -> None:
        other, _ = dept.add_member("member")
        mine = seed_record(dept, member[0])
        seed_record(dept, other)
        with dept.signed_in(member[1]) as client:
            plain = [r["id"] for r in client.get(RECORDS).json()]
            asked = client.get(RECORDS, params={"user_id": other})
        assert plain == [mine]
        assert asked.status_code == 200
        assert [r["id"] for r in asked.json()] == [mine]

    def test_officers_see_everyone_newest_completion_first_undated_last(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        other, _ = dept.add_member("member")
        old = seed_record(dept, member[0], completion_date=date(2025, 1, 1))
        undated = seed_record(dept, member[0], completion_date=None, status="scheduled")
        new = seed_record(dept, other, completion_date=date(2026, 1, 1))
        with dept.signed_in(chief) as client:
            listed = [r["id"] for r in client.get(RECORDS).json()]
            theirs = [r["id"] for r in client.get(RECORDS, params={"user_id": member[0]}).json()]
        assert [row for row in listed if row in {old, undated, new}] == [new, old, undated]
        assert theirs == [old, undated]

    def test_status_and_inclusive_dates_filter_and_drop_undated_records(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        first = seed_record(dept, member[0], completion_date=date(2026, 3, 1))
        last = seed_record(dept, member[0], completion_date=date(2026, 3, 31))
        seed_record(dept, member[0], completion_date=date(2026, 4, 1))
        seed_record(dept, member[0], completion_date=None)
        failed = seed_record(dept, member[0], completion_date=date(2026, 3, 15), status="failed")
        with dept.signed_in(chief) as client:
            march = client.get(
                RECORDS,
                params={"user_id": member[0], "start_date": "2026-03-01", "end_date": "2026-03-31"},
            ).json()
            failures = client.get(RECORDS, params={"user_id": member[0], "status": "FAILED"}).json()
            bad = client.get(RECORDS, params={"start_date": "March"})
        assert [r["id"] for r in march] == [last, failed, first]
        assert [r["id"] for r in failures] == [failed]
        assert bad.status_code == 422

    def test_another_organizations_records_never_show(self, dept: Department, chief: str) -> None:
        other = dept.second_organization()
        stranger, _ = dept.add_member("member", organization_id=other)
        seed_record(dept, stranger, other)
        with dept.signed_in(chief) as client:
            assert client.get(RECORDS, params={"user_id": stranger}).json() == []


class TestUpdate:
    def test_the_fields_sent_change_and_nothing_is_recomputed(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        course = seed_course(dept, expiration_months=12)
        record = post(
            dept, chief, user_id=member[0], course_id=course, completion_date="2026-01-10"
        )
        with dept.signed_in(chief) as client:
            edited = client.patch(
                f"{RECORDS}/{record['id']}",
                json={"completion_date": "2026-02-10", "notes": "Rescheduled", "score": None},
            )
        assert edited.status_code == 200, edited.text
        assert edited.json()["completion_date"] == "2026-02-10"
        assert edited.json()["expiration_date"] == "2027-01-10"  # not moved (§8.2)
        assert edited.json()["notes"] == "Rescheduled"
        assert edited.json()["status"] == "scheduled"
        entries = audit_entries(dept, record["id"])
        assert [name for name, _ in entries] == [
            "training_record_created",
            "training_record_updated",
        ]
        assert entries[1][1]["fields_changed"] == ["completion_date", "notes"]
        assert entries[1][1]["completed"] is False
        assert outbox_subjects(dept, record["id"]) == [
            "logbook.api.training.record_created",
            "logbook.api.training.record_updated",
        ]

    @pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
    def test_completing_an_undated_record_dates_it_today_in_the_departments_zone(
        self, dept: Department, chief: str, member: tuple[str, str], zone: str
    ) -> None:
        set_zone(dept, zone)
        record = post(dept, chief, user_id=member[0])
        with dept.signed_in(chief) as client:
            before = datetime.now(ZoneInfo(zone)).date()
            edited = client.patch(f"{RECORDS}/{record['id']}", json={"status": "completed"})
            after = datetime.now(ZoneInfo(zone)).date()
        # One of the two zones is a day away from UTC at any hour.
        assert edited.json()["completion_date"] in {str(before), str(after)}
        assert edited.json()["status"] == "completed"
        entries = audit_entries(dept, record["id"])
        assert entries[-1][1]["completed"] is True
        assert outbox_subjects(dept, record["id"])[-2:] == [
            "logbook.api.training.record_updated",
            "logbook.api.training.record_completed",
        ]

    def test_completing_a_dated_record_keeps_its_date(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        record = post(dept, chief, user_id=member[0], completion_date="2025-12-31")
        with dept.signed_in(chief) as client:
            edited = client.patch(
                f"{RECORDS}/{record['id']}", json={"status": "completed", "hours_completed": 4}
            )
            again = client.patch(f"{RECORDS}/{record['id']}", json={"notes": "ok"})
            same = client.patch(f"{RECORDS}/{record['id']}", json={"notes": "ok"})
        assert edited.json()["completion_date"] == "2025-12-31"
        assert again.status_code == 200
        assert same.json() == again.json()
        # An edit changing nothing is neither audited nor announced.
        assert len(audit_entries(dept, record["id"])) == 3
        assert len(outbox_subjects(dept, record["id"])) == 4
        # Completed once: only the first edit announces it.
        assert (
            outbox_subjects(dept, record["id"]).count("logbook.api.training.record_completed") == 1
        )

    @pytest.mark.parametrize("field", ["record", "category_id", "course_id"])
    def test_another_organizations_record_category_or_course_is_404(
        self, dept: Department, chief: str, member: tuple[str, str], field: str
    ) -> None:
        other = dept.second_organization()
        record = seed_record(dept, member[0])
        if field == "record":
            stranger, _ = dept.add_member("member", organization_id=other)
            target, body = seed_record(dept, stranger, other), {"notes": "x"}
        else:
            foreign = (seed_category if field == "category_id" else seed_course)(dept, other)
            target, body = record, {field: foreign}
        with dept.signed_in(chief) as client:
            response = client.patch(f"{RECORDS}/{target}", json=body)
        assert response.status_code == 404, response.text


class TestVoid:
    def test_a_void_keeps_the_row_cancelled_with_a_marker_and_is_refused_twice(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        record = seed_record(dept, member[0], notes="Taught by B shift")
        with dept.signed_in(chief) as client:
            voided = client.delete(f"{RECORDS}/{record}", params={"reason": "Entered twice"})
            again = client.delete(f"{RECORDS}/{record}")
            listed = {r["id"]: r for r in client.get(RECORDS, params={"user_id": member[0]}).json()}
        assert voided.status_code == 204
        assert again.status_code == 400
        assert again.json()["detail"] == "Training record is already voided"
        assert listed[record]["status"] == "cancelled"
        assert listed[record]["notes"] == f"Taught by B shift\n[VOIDED by {chief}: Entered twice]"
        entries = audit_entries(dept, record)
        assert [name for name, _ in entries] == ["training_record_voided"]
        assert entries[0][1]["_severity"] == "warning"
        assert outbox_subjects(dept, record) == ["logbook.api.training.record_voided"]

    def test_a_void_without_a_reason_says_so(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        record = seed_record(dept, member[0])
        with dept.signed_in(chief) as client:
            assert client.delete(f"{RECORDS}/{record}").status_code == 204
            notes = client.get(RECORDS, params={"user_id": member[0]}).json()[0]["notes"]
        assert notes == f"[VOIDED by {chief}: No reason given]"

    def test_another_organizations_record_is_404(self, dept: Department, chief: str) -> None:
        other = dept.second_organization()
        stranger, _ = dept.add_member("member", organization_id=other)
        record = seed_record(dept, stranger, other)
        with dept.signed_in(chief) as client:
            assert client.delete(f"{RECORDS}/{record}").status_code == 404


class TestPermissions:
    def test_members_cannot_write_records_even_their_own(
        self, dept: Department, member: tuple[str, str]
    ) -> None:
        record = seed_record(dept, member[0])
        body = {
            "user_id": member[0],
            "course_name": "X",
            "training_type": "refresher",
            "hours_completed": 1,
        }
        with dept.signed_in(member[1]) as client:
            answers = [
                client.post(RECORDS, json=body),
                client.patch(f"{RECORDS}/{record}", json={"notes": "x"}),
                client.delete(f"{RECORDS}/{record}"),
            ]
        assert [r.status_code for r in answers] == [403, 403, 403]
        assert audit_entries(dept, record) == []

    def test_a_wildcard_grants_the_officer_routes(
        self, dept: Department, member: tuple[str, str]
    ) -> None:
        role = dept.add_role(["training.*"])
        holder, username = dept.add_member("member")
        dept.assign(holder, role)
        record = post(dept, username, user_id=member[0])
        assert record["user_id"] == member[0]
