"""Bulk record entry in-process (spec training.md §3 #12, §4.2, §8.3): up to 500 rows in one
transaction, duplicates skipped unless overridden, failed rows named, a result per row, one
audit entry and an event per row."""

import uuid
from datetime import date
from typing import Any

import pytest

from tests.api.department import Department
from tests.api.training_support import (
    BULK,
    RECORDS,
    audit_entries,
    created,
    officer,
    outbox_subjects,
    seed_category,
    seed_course,
    seed_record,
    unique,
)


@pytest.fixture
def dept(department: Department) -> Department:
    return department


@pytest.fixture
def chief(dept: Department) -> str:
    return officer(dept)


def row(user_id: str, **fields: Any) -> dict[str, Any]:
    return {"user_id": user_id, "course_name": "Hose Lays", "hours_completed": 2, **fields}


def bulk(dept: Department, username: str, rows: list[dict[str, Any]], **flags: bool) -> Any:
    with dept.signed_in(username) as client:
        return created(client.post(BULK, json={"records": rows, **flags}))


def records_of(dept: Department, username: str, user_id: str) -> list[dict[str, Any]]:
    with dept.signed_in(username) as client:
        return list(client.get(RECORDS, params={"user_id": user_id}).json())


class TestCreate:
    def test_every_row_is_created_with_the_defaults_and_announced(
        self, dept: Department, chief: str
    ) -> None:
        first, _ = dept.add_member("member", rank="Firefighter")
        second, _ = dept.add_member("member")
        result = bulk(
            dept,
            chief,
            [
                row(first, completion_date="2026-05-01"),
                row(second, completion_date="2026-05-01", training_type="SPECIALTY", score=90),
            ],
        )
        assert result["total"] == 2
        assert (result["created"], result["skipped"], result["failed"]) == (2, 0, 0)
        assert result["duplicate_warnings"] == []
        assert result["errors"] == []
        [mine] = records_of(dept, chief, first)
        [theirs] = records_of(dept, chief, second)
        assert result["created_record_ids"] == [mine["id"], theirs["id"]]
        assert mine["status"] == "completed"
        assert mine["training_type"] == "continuing_education"
        assert mine["rank_at_completion"] == "Firefighter"
        assert theirs["training_type"] == "specialty"
        assert outbox_subjects(dept, mine["id"]) == [
            "logbook.api.training.record_created",
            "logbook.api.training.record_completed",
        ]
        entries = audit_entries(dept, mine["id"])
        assert [name for name, _ in entries] == ["training_records_bulk_created"]
        assert entries[0][1]["created"] == 2
        assert audit_entries(dept, theirs["id"]) == entries  # one entry for the request

    def test_the_expiration_comes_from_each_rows_course(self, dept: Department, chief: str) -> None:
        user, _ = dept.add_member("member")
        course = seed_course(dept, expiration_months=1)
        result = bulk(
            dept,
            chief,
            [
                row(user, course_id=course, completion_date="2027-01-31"),
                row(user, course_name="Other", course_id=course, completion_date=None),
            ],
        )
        assert result["created"] == 2
        expirations = {
            r["course_name"]: r["expiration_date"] for r in records_of(dept, chief, user)
        }
        assert expirations == {"Hose Lays": "2027-02-28", "Other": None}

    def test_five_hundred_rows_go_in_one_request(self, dept: Department, chief: str) -> None:
        user, _ = dept.add_member("member")
        rows = [
            row(user, course_name=f"Drill {n}", completion_date="2026-01-02") for n in range(500)
        ]
        result = bulk(dept, chief, rows)
        assert result["created"] == 500
        assert len(records_of(dept, chief, user)) == 500


class TestDuplicates:
    @pytest.mark.parametrize("flags", [{}, {"skip_duplicates": True}])
    def test_a_duplicate_is_skipped_with_a_warning(
        self, dept: Department, chief: str, flags: dict[str, bool]
    ) -> None:
        user, _ = dept.add_member("member")
        existing = seed_record(
            dept, user, course_name="Hose Lays", completion_date=date(2026, 5, 1)
        )
        result = bulk(
            dept,
            chief,
            [
                row(user, course_name="HOSE LAYS", completion_date="2026-05-02"),
                row(user, course_name="Ladders"),
            ],
            **flags,
        )
        assert (result["created"], result["skipped"], result["failed"]) == (1, 1, 0)
        [warning] = result["duplicate_warnings"]
        assert warning["user_id"] == user
        assert warning["course_name"] == "HOSE LAYS"
        assert warning["completion_date"] == "2026-05-02"
        assert warning["existing_record_id"] == existing
        assert warning["existing_completion_date"] == "2026-05-01"
        assert "skipped" in warning["message"]
        assert sorted(r["course_name"] for r in records_of(dept, chief, user)) == [
            "Hose Lays",
            "Ladders",
        ]

    def test_override_creates_the_duplicate_still_warning(
        self, dept: Department, chief: str
    ) -> None:
        user, _ = dept.add_member("member")
        seed_record(dept, user, course_name="Hose Lays", completion_date=date(2026, 5, 1))
        result = bulk(
            dept, chief, [row(user, completion_date="2026-04-30")], override_duplicates=True
        )
        assert (result["created"], result["skipped"]) == (1, 0)
        assert len(result["duplicate_warnings"]) == 1
        assert len(records_of(dept, chief, user)) == 2

    def test_a_row_duplicating_an_earlier_row_is_skipped(
        self, dept: Department, chief: str
    ) -> None:
        user, _ = dept.add_member("member")
        other, _ = dept.add_member("member")
        result = bulk(
            dept,
            chief,
            [
                row(user, completion_date="2026-05-01"),
                row(user, completion_date="2026-05-01"),
                row(other, completion_date="2026-05-01"),
                row(user, completion_date="2026-05-03"),
            ],
        )
        assert (result["created"], result["skipped"]) == (3, 1)
        assert (
            result["duplicate_warnings"][0]["existing_record_id"] == result["created_record_ids"][0]
        )


class TestFailures:
    def test_rows_naming_another_organizations_member_category_or_course_fail_alone(
        self, dept: Department, chief: str
    ) -> None:
        user, _ = dept.add_member("member")
        other = dept.second_organization()
        stranger, _ = dept.add_member("member", organization_id=other)
        result = bulk(
            dept,
            chief,
            [
                row(user),
                row(stranger),
                row(user, course_name="B", category_id=seed_category(dept, other)),
                row(user, course_name="C", course_id=seed_course(dept, other)),
                row(str(uuid.uuid4()), course_name="D"),
            ],
        )
        assert (result["created"], result["skipped"], result["failed"]) == (1, 0, 4)
        assert result["errors"] == [
            "Row 2: Member not found in this organization",
            "Row 3: Training category not found",
            "Row 4: Training course not found",
            "Row 5: Member not found in this organization",
        ]
        assert [r["course_name"] for r in records_of(dept, chief, user)] == ["Hose Lays"]

    def test_nothing_created_means_no_audit_entry(self, dept: Department, chief: str) -> None:
        other = dept.second_organization()
        stranger, _ = dept.add_member("member", organization_id=other)
        tag = unique("row")
        result = bulk(dept, chief, [row(stranger, course_name=tag)])
        assert (result["created"], result["failed"]) == (0, 1)
        assert result["created_record_ids"] == []
        assert audit_entries(dept, tag) == []

    @pytest.mark.parametrize(
        "change",
        [
            {"records": []},
            {"records": "many"},
            {"bad": {"training_type": "juggling"}},
            {"bad": {"status": "done"}},
            {"bad": {"score": 101}},
            {"bad": {"hours_completed": -1}},
            {"bad": {"course_name": ""}},
            {"bad": {"completion_date": "9999-01-01"}},
        ],
    )
    def test_a_malformed_body_or_row_is_422_and_nothing_is_written(
        self, dept: Department, chief: str, change: dict[str, Any]
    ) -> None:
        user, _ = dept.add_member("member")
        body: dict[str, Any] = {
            "records": [row(user), row(user, **{"course_name": "Second", **change.get("bad", {})})]
        }
        if "records" in change:
            body["records"] = change["records"]
        with dept.signed_in(chief) as client:
            response = client.post(BULK, json=body)
        assert response.status_code == 422, response.text
        assert records_of(dept, chief, user) == []

    def test_more_than_five_hundred_rows_are_422(self, dept: Department, chief: str) -> None:
        user, _ = dept.add_member("member")
        with dept.signed_in(chief) as client:
            response = client.post(BULK, json={"records": [row(user)] * 501})
        assert response.status_code == 422


def test_members_cannot_enter_records_in_bulk(dept: Department) -> None:
    user, username = dept.add_member("member")
    with dept.signed_in(username) as client:
        response = client.post(BULK, json={"records": [row(user)]})
    assert response.status_code == 403
    assert records_of(dept, officer(dept), user) == []
