"""Requirements and compliance reads on the embedded SQLite database too (`make run`'s
default): a requirement's life, the matrix, the card, progress with a leave, My Training and both
expiring lists."""

from datetime import timedelta

import pytest

from tests.api.training_reads_support import (
    EXPIRING,
    EXPIRING_RECORDS,
    MATRIX,
    MY_TRAINING,
    REQUIREMENTS,
    progress_path,
    summary_path,
    today,
)
from tests.support import factories
from tests.support.inprocess import InProcess

pytestmark = pytest.mark.parametrize("database_kind", ["sqlite"])


async def test_requirements_and_compliance_reads(inprocess: InProcess) -> None:
    organization_id, officer = await inprocess.department("training_officer")
    member, headers = await inprocess.member(organization_id, "member")
    now = today()
    async with inprocess.seed() as session:
        await factories.training_record(
            session, organization_id, member.id, hours_completed=6, completion_date=now
        )
        await factories.training_record(
            session,
            organization_id,
            member.id,
            course_name="CPR",
            certification_number="C",
            expiration_date=now - timedelta(days=2),
        )
        await factories.leave_of_absence(
            session,
            organization_id,
            member.id,
            start_date=now.replace(month=1, day=1),
            end_date=now.replace(month=6, day=30),
        )
    made = await inprocess.api.post(
        REQUIREMENTS,
        headers=officer,
        json={
            "name": "Yearly",
            "requirement_type": "hours",
            "frequency": "annual",
            "required_hours": 12,
            "checklist_items": ["Step"],
        },
    )
    assert made.status_code == 201, made.text
    listed = await inprocess.api.get(REQUIREMENTS, headers=headers)
    assert [row["name"] for row in listed.json()] == ["Yearly"]
    [progress] = (await inprocess.api.get(progress_path(str(member.id)), headers=headers)).json()
    assert (progress["required_hours"], progress["is_complete"]) == (6.0, True)
    summary = (await inprocess.api.get(summary_path(str(member.id)), headers=officer)).json()
    assert (summary["compliance_status"], summary["certs_expired"]) == ("red", 1)
    matrix = (await inprocess.api.get(MATRIX, headers=officer)).json()
    [row] = [row for row in matrix["members"] if row["user_id"] == str(member.id)]
    assert row["requirements"][0]["status"] == "completed"
    page = (await inprocess.api.get(MY_TRAINING, headers=headers)).json()
    assert page["requirements_detail"][0]["waived_months"] == 6
    assert [row["course_name"] for row in page["certifications"]] == ["CPR"]
    own = (await inprocess.api.get(EXPIRING_RECORDS, headers=headers)).json()
    assert [row["course_name"] for row in own] == ["CPR"]
    everyone = (await inprocess.api.get(EXPIRING, headers=officer)).json()
    assert [row["status"] for row in everyone] == ["expired"]
    deleted = await inprocess.api.delete(f"{REQUIREMENTS}/{made.json()['id']}", headers=officer)
    assert deleted.status_code == 204
