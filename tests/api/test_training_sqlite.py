"""The course library and records on the embedded SQLite database too (`make run`'s default),
where locking reads are plain reads and names compare by case only through `lower()`."""

from datetime import date

import pytest

from tests.api.training_support import BULK, CATEGORIES, COURSES, RECORDS
from tests.support import factories
from tests.support.inprocess import InProcess

pytestmark = pytest.mark.parametrize("database_kind", ["sqlite"])


async def test_the_library_and_records_flow(inprocess: InProcess) -> None:
    organization_id, admin = await inprocess.department()
    async with inprocess.seed() as session:
        member = await factories.member(session, organization_id, ["member"], rank="Engineer")
        await factories.training_record(
            session,
            organization_id,
            member.id,
            course_name="Hose Lays",
            completion_date=date(2026, 5, 1),
        )
    category = await inprocess.api.post(CATEGORIES, headers=admin, json={"name": "Fire"})
    course = await inprocess.api.post(
        COURSES,
        headers=admin,
        json={
            "name": "EMT",
            "training_type": "certification",
            "expiration_months": 1,
            "category_ids": [category.json()["id"]],
        },
    )
    assert course.status_code == 201, course.text
    record = await inprocess.api.post(
        RECORDS,
        headers=admin,
        json={
            "user_id": str(member.id),
            "course_name": "HOSE LAYS",
            "course_id": course.json()["id"],
            "training_type": "certification",
            "hours_completed": 2,
            "completion_date": "2026-05-31",
        },
    )
    assert record.status_code == 201, record.text
    assert record.json()["expiration_date"] == "2026-06-30"
    assert record.json()["rank_at_completion"] == "Engineer"
    assert "_duplicate_warning" not in record.json()  # a month after the stored one
    result = await inprocess.api.post(
        BULK,
        headers=admin,
        json={
            "records": [
                {
                    "user_id": str(member.id),
                    "course_name": "hose lays",
                    "hours_completed": 1,
                    "completion_date": "2026-05-02",
                },
                {"user_id": str(member.id), "course_name": "Ladders", "hours_completed": 1},
            ]
        },
    )
    assert (result.json()["created"], result.json()["skipped"]) == (1, 1)
    voided = await inprocess.api.delete(f"{RECORDS}/{record.json()['id']}", headers=admin)
    assert voided.status_code == 204
    listed = await inprocess.api.get(RECORDS, headers=admin, params={"user_id": str(member.id)})
    assert [(r["course_name"], r["status"]) for r in listed.json()] == [
        ("HOSE LAYS", "cancelled"),
        ("Hose Lays", "completed"),
        ("Ladders", "completed"),
    ]
