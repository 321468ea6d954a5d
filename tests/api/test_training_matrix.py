"""The officer's overviews in-process (spec training.md §3 #23, #25, §4.5, §6): the compliance
matrix (members and requirements sorted, cells only where a requirement applies, completion over
the applicable ones [fix], exempt, inactive and deleted members left out, a renewal green) and
the organization's expiring certifications; officer-only, tenancy."""

import asyncio
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from api.training.matrix_runs import MatrixRuns
from api.training.service import MatrixVerdicts
from shared.db.types import utc_now
from tests.api.department import Department
from tests.api.training_reads_support import (
    EXPIRING,
    MATRIX,
    get_json,
    seed_leave,
    seed_requirement,
    set_member,
    today,
)
from tests.api.training_support import officer, org_id, seed_course, seed_record


@pytest.fixture
def dept(department: Department) -> Department:
    return department


@pytest.fixture
def chief(dept: Department) -> str:
    return officer(dept)


def person(dept: Department, first: str, last: str, **fields: Any) -> str:
    user_id, _ = dept.add_member("member", first_name=first, last_name=last)
    if fields:
        set_member(dept, user_id, **fields)
    return user_id


def row_of(matrix: dict[str, Any], user_id: str) -> dict[str, Any]:
    [row] = [row for row in matrix["members"] if row["user_id"] == user_id]
    return dict(row)


class TestMatrix:
    def test_members_by_name_requirements_by_name_cells_where_they_apply(
        self, dept: Department, chief: str
    ) -> None:
        for row in get_json(dept, chief, MATRIX)["members"]:
            assert row["requirements"] == []  # nothing required yet
        zed = person(dept, "Ann", "Zed")
        abel = person(dept, "Bob", "Abel", membership_type="probationary")
        exempt = person(dept, "Cy", "Exempt", compliance_exempt=True)
        gone = person(dept, "Di", "Gone", deleted_at=utc_now())
        away, _ = dept.add_member("member", status="inactive", last_name="Inactive")
        hours = seed_requirement(dept, name="B hours", required_hours=4)
        rookies = seed_requirement(
            dept, name="A rookies", required_hours=1, required_membership_types=["probationary"]
        )
        seed_requirement(dept, name="Off", active=False)
        seed_requirement(dept, organization_id=dept.second_organization(), name="Foreign")
        seed_record(dept, zed, hours_completed=5, completion_date=today())
        seed_record(dept, abel, hours_completed=2, completion_date=today())
        matrix = get_json(dept, chief, MATRIX)
        assert set(matrix) == {"members", "requirements", "generated_at"}
        assert matrix["requirements"] == [
            {"id": rookies, "name": "A rookies"},
            {"id": hours, "name": "B hours"},
        ]
        ids = [row["user_id"] for row in matrix["members"]]
        assert ids.index(abel) < ids.index(zed)
        assert not {exempt, gone, away} & set(ids)
        zed_row = row_of(matrix, zed)
        assert zed_row["member_name"] == "Zed, Ann"
        assert zed_row["requirements"] == [
            {
                "requirement_id": hours,
                "requirement_name": "B hours",
                "status": "completed",
                "completion_date": today().isoformat(),
                "expiry_date": None,
            }
        ]
        assert zed_row["completion_pct"] == 100.0  # over the one that applies [fix]
        abel_row = row_of(matrix, abel)
        assert [cell["status"] for cell in abel_row["requirements"]] == [
            "completed",
            "in_progress",
        ]
        assert abel_row["completion_pct"] == 50.0

    def test_no_requirements_is_empty_arrays(self, dept: Department, chief: str) -> None:
        person(dept, "Ann", "Zed")
        matrix = get_json(dept, chief, MATRIX)
        assert (matrix["members"], matrix["requirements"]) == ([], [])

    def test_a_renewed_certificate_is_green_an_unrenewed_one_expired(
        self, dept: Department, chief: str
    ) -> None:
        course = seed_course(dept, name="Pump operator")
        requirement = seed_requirement(
            dept,
            name="Pump cert",
            requirement_type="certification",
            frequency="one_time",
            required_hours=None,
            required_courses=[course],
        )
        renewed = person(dept, "Re", "Newed")
        lapsed = person(dept, "La", "Psed")
        now = today()
        for user_id in (renewed, lapsed):
            seed_record(
                dept,
                user_id,
                course_id=uuid.UUID(course),
                course_name="Pump operator",
                completion_date=now - timedelta(days=800),
                expiration_date=now - timedelta(days=70),
            )
        seed_record(
            dept,
            renewed,
            course_id=uuid.UUID(course),
            course_name="Pump operator",
            completion_date=now - timedelta(days=50),
            expiration_date=now + timedelta(days=680),
        )
        matrix = get_json(dept, chief, MATRIX)
        [green] = row_of(matrix, renewed)["requirements"]
        [red] = row_of(matrix, lapsed)["requirements"]
        assert green["requirement_id"] == requirement
        assert (green["status"], green["expiry_date"]) == (
            "completed",
            (now + timedelta(days=680)).isoformat(),
        )
        assert (red["status"], red["expiry_date"]) == (
            "expired",
            (now - timedelta(days=70)).isoformat(),
        )

    def test_a_member_on_leave_is_not_behind(self, dept: Department, chief: str) -> None:
        seed_requirement(dept, name="Yearly", required_hours=12)
        on_leave = person(dept, "On", "Leave")
        at_work = person(dept, "At", "Work")
        year = today().year
        # Six months of the year away: the target is halved to 6 hours.
        seed_leave(dept, on_leave, start_date=date(year, 1, 1), end_date=date(year, 6, 30))
        for user_id in (on_leave, at_work):
            seed_record(dept, user_id, hours_completed=6, completion_date=today())
        matrix = get_json(dept, chief, MATRIX)
        assert row_of(matrix, on_leave)["requirements"][0]["status"] == "completed"
        assert row_of(matrix, at_work)["requirements"][0]["status"] == "in_progress"
        assert (
            row_of(matrix, on_leave)["completion_pct"],
            row_of(matrix, at_work)["completion_pct"],
        ) == (100.0, 0.0)

    def test_officers_only(self, dept: Department) -> None:
        _, plain = dept.add_member("member")
        viewer_id, viewer = dept.add_member("member")
        dept.assign(viewer_id, dept.add_role(["training.view_all"]))
        for username in (plain, viewer):
            with dept.signed_in(username) as client:
                assert client.get(MATRIX).status_code == 403
                assert client.get(EXPIRING).status_code == 403

    def test_another_organizations_members_are_not_listed(
        self, dept: Department, chief: str
    ) -> None:
        seed_requirement(dept, name="Mine")
        foreign = dept.second_organization()
        stranger, _ = dept.add_member("member", organization_id=foreign)
        assert stranger not in [row["user_id"] for row in get_json(dept, chief, MATRIX)["members"]]


class TestStatements:
    def test_the_matrix_costs_the_same_statements_for_any_number_of_members(
        self, dept: Department, chief: str
    ) -> None:
        seed_requirement(dept, name="Hours", required_hours=4)
        seed_requirement(dept, name="Cert", requirement_type="certification", frequency="one_time")
        executed: list[str] = []

        def record(*args: Any) -> None:
            executed.append(args[2])

        def cost(client: Any) -> int:
            executed.clear()
            event.listen(dept.engine.sync_engine, "before_cursor_execute", record)
            try:
                assert client.get(MATRIX).status_code == 200
            finally:
                event.remove(dept.engine.sync_engine, "before_cursor_execute", record)
            return len(executed)

        with dept.signed_in(chief) as client:
            cost(client)  # the caller's session and permissions are read once, then cached
            few = cost(client)
            for n in range(6):
                user_id = person(dept, f"M{n}", f"Member{n}")
                seed_record(dept, user_id, completion_date=today())
                seed_leave(dept, user_id, start_date=today())
            many = cost(client)
        assert few == many
        assert len(get_json(dept, chief, MATRIX)["members"]) >= 6


class TestExpiringCertifications:
    def test_the_organizations_certifications_due_or_expired(
        self, dept: Department, chief: str
    ) -> None:
        now = today()
        course = seed_course(dept, name="Ladder")
        soon = person(dept, "Sam", "Soon")
        gone = person(dept, "Gus", "Gone")
        nameless, _ = dept.add_member("member")
        set_member(dept, nameless, first_name=None, last_name=None)
        seed_record(
            dept,
            soon,
            course_id=uuid.UUID(course),
            course_name="Ladder",
            expiration_date=now + timedelta(days=30),
        )
        expired = seed_record(
            dept,
            gone,
            course_name="CPR",
            completion_date=now - timedelta(days=400),
            expiration_date=now - timedelta(days=1),
        )
        seed_record(dept, nameless, course_name="Rope", expiration_date=now)
        seed_record(dept, soon, course_name="Far", expiration_date=now + timedelta(days=91))
        seed_record(dept, soon, status="failed", expiration_date=now)
        foreign = dept.second_organization()
        stranger, _ = dept.add_member("member", organization_id=foreign)
        seed_record(dept, stranger, organization_id=foreign, expiration_date=now)
        listed = get_json(dept, chief, EXPIRING)
        assert [row["requirement_name"] for row in listed] == ["CPR", "Rope", "Ladder"]
        assert listed[0] == {
            "user_id": gone,
            "member_name": "Gone, Gus",
            "requirement_id": expired,  # no course: the record's id
            "requirement_name": "CPR",
            "expiry_date": (now - timedelta(days=1)).isoformat(),
            "days_until_expiry": -1,
            "status": "expired",
        }
        assert listed[1]["status"] == "expiring_soon"  # valid through its date [fix]
        assert listed[1]["member_name"] != ""
        assert listed[2]["requirement_id"] == course
        assert listed[2]["member_name"] == "Soon, Sam"
        assert [row["requirement_name"] for row in get_json(dept, chief, EXPIRING, days=91)][
            -1
        ] == "Far"

    def test_a_renewal_hides_the_expired_record(self, dept: Department, chief: str) -> None:
        member = person(dept, "Re", "Newed")
        now = today()
        seed_record(
            dept,
            member,
            course_name="Driver",
            completion_date=now - timedelta(days=800),
            expiration_date=now - timedelta(days=3),
        )
        seed_record(
            dept,
            member,
            course_name="driver",
            completion_date=now - timedelta(days=2),
            expiration_date=now + timedelta(days=700),
        )
        assert get_json(dept, chief, EXPIRING) == []

    def test_days_is_bounded(self, dept: Department, chief: str) -> None:
        with dept.signed_in(chief) as client:
            answers = [
                client.get(EXPIRING, params={"days": days}).status_code for days in (0, 365, 366)
            ]
        assert answers == [422, 200, 422]


class TestDashboard:
    def test_the_admin_summary_completion_is_the_matrix_cells_completed(
        self, dept: Department, chief: str
    ) -> None:
        summary = "/api/v1/dashboard/admin-summary"
        assert get_json(dept, dept.admin_username, summary)["training_completion_pct"] == 0.0
        seed_requirement(dept, required_hours=4, required_membership_types=["probationary"])
        done = person(dept, "Do", "Ne", membership_type="probationary")
        person(dept, "Not", "Yet", membership_type="probationary")
        person(dept, "Ex", "Empt", membership_type="probationary", compliance_exempt=True)
        seed_record(dept, done, hours_completed=5, completion_date=today())
        assert get_json(dept, dept.admin_username, summary)["training_completion_pct"] == 50.0
        matrix = get_json(dept, chief, MATRIX)
        cells = [cell for row in matrix["members"] for cell in row["requirements"]]
        assert [cell["status"] for cell in cells].count("completed") * 2 == len(cells) == 2


class TestSharedComputation:
    def test_callers_while_it_computes_share_it_and_nothing_is_kept(self, dept: Department) -> None:
        seed_requirement(dept, name="Hours", required_hours=4)
        organization = org_id(dept)
        runs = MatrixRuns()
        opened: list[object] = []

        def sessions() -> Any:  # the app's sessionmaker, counting the computations
            opened.append(object())
            return dept.api.sessions()

        async def together(_session: Any) -> list[MatrixVerdicts]:
            calls = (runs.verdicts(organization, sessions) for _ in range(3))
            return list(await asyncio.gather(*calls))

        first, second, third = dept.run(together)
        assert first is second is third
        assert len(opened) == 1
        later = dept.run(lambda _session: runs.verdicts(organization, sessions))
        assert later is not first  # answered, then forgotten: the next caller reads afresh
        assert len(opened) == 2
        assert [row.name for row, _ in later.requirements] == ["Hours"]
