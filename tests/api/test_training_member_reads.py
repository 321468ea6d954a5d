"""A member's training figures in-process (spec training.md §3 #19-#22, #24, §4.4, §4.5, §6,
addendum §2.2): stats, the compliance card, progress and My Training through the one engine;
renewals superseding an expired certificate; a member on leave not marked behind; the org's
current-month setting; the expiring list of records; self-or-officer 403s and tenancy."""

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from api.training.compliance import add_months
from tests.api.department import Department
from tests.api.training_reads_support import (
    EXPIRING_RECORDS,
    MY_TRAINING,
    get_json,
    progress_path,
    seed_leave,
    seed_requirement,
    seed_waiver,
    set_member,
    set_organization,
    set_settings,
    stats_path,
    summary_path,
    today,
)
from tests.api.training_support import officer, seed_course, seed_record

ZERO_STATS = {
    "total_hours": 0.0,
    "hours_this_year": 0.0,
    "total_certifications": 0,
    "active_certifications": 0,
    "expiring_soon": 0,
    "expired": 0,
    "completed_courses": 0,
}


@pytest.fixture
def dept(department: Department) -> Department:
    return department


@pytest.fixture
def chief(dept: Department) -> str:
    return officer(dept)


@pytest.fixture
def member(dept: Department) -> tuple[str, str]:
    return dept.add_member("member")


def quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


class TestStats:
    def test_hours_and_certifications_over_completed_records(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        user_id, _ = member
        now = today()
        last_year = now.replace(year=now.year - 1, day=1)
        seed_record(dept, user_id, hours_completed=3, completion_date=now)
        seed_record(dept, user_id, hours_completed=2, completion_date=last_year)
        # Certifications: expiring soon, expired, current, through today (valid), undated.
        for days, number in ((30, "A"), (-1, "B"), (200, "C"), (0, "D")):
            seed_record(
                dept,
                user_id,
                hours_completed=1,
                completion_date=last_year,
                certification_number=number,
                expiration_date=now + timedelta(days=days),
            )
        seed_record(dept, user_id, hours_completed=1, certification_number="E")
        # Only completed records count, never credit hours.
        seed_record(dept, user_id, status="scheduled", hours_completed=50)
        seed_record(dept, user_id, status="in_progress", hours_completed=50, credit_hours=9)
        stats = get_json(dept, chief, stats_path(user_id))
        assert stats == {
            "user_id": user_id,
            "total_hours": 10.0,
            "hours_this_year": 4.0,  # 3 + the undated-year cert E (completed today by default)
            "total_certifications": 5,
            "active_certifications": 3,  # A, C and D (valid through its expiration date [fix])
            "expiring_soon": 2,  # A and D
            "expired": 1,
            "completed_courses": 7,
        }

    def test_a_renewal_supersedes_the_expired_certificate(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        user_id, _ = member
        now = today()
        seed_record(
            dept,
            user_id,
            course_name="EMT Basic",
            certification_number="1",
            completion_date=now - timedelta(days=800),
            expiration_date=now - timedelta(days=70),
        )
        seed_record(
            dept,
            user_id,
            course_name="emt basic",
            certification_number="2",
            completion_date=now - timedelta(days=60),
            expiration_date=now + timedelta(days=670),
        )
        stats = get_json(dept, chief, stats_path(user_id))
        assert (stats["total_certifications"], stats["active_certifications"]) == (1, 1)
        assert stats["expired"] == 0

    def test_unknown_and_foreign_ids_answer_zeros(self, dept: Department, chief: str) -> None:
        foreign = dept.second_organization()
        stranger, _ = dept.add_member("member", organization_id=foreign)
        seed_record(dept, stranger, organization_id=foreign)
        for user_id in (str(uuid.uuid4()), stranger):
            assert get_json(dept, chief, stats_path(user_id)) == {"user_id": user_id, **ZERO_STATS}


class TestLocalToday:
    def test_certifications_expire_by_the_departments_date_not_utcs(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        """§8.10: a zone whose date differs from UTC's right now (behind it before noon UTC,
        ahead of it after), and an expiration that one date calls expired and the other not."""
        now = datetime.now(UTC)
        zone = "Etc/GMT+12" if now.hour < 12 else "Etc/GMT-14"
        set_organization(dept, timezone=zone)
        local = now.astimezone(ZoneInfo(zone)).date()
        assert local != now.date()
        expires = min(local, now.date())
        seed_record(dept, member[0], certification_number="Z", expiration_date=expires)
        stats = get_json(dept, chief, stats_path(member[0]))
        assert stats["expired"] == (1 if expires < local else 0)
        assert stats["active_certifications"] == (0 if expires < local else 1)


class TestSelfOrOfficer:
    def test_members_read_their_own_figures_not_anothers(
        self, dept: Department, member: tuple[str, str]
    ) -> None:
        user_id, username = member
        other, _ = dept.add_member("member")
        with dept.signed_in(username) as client:
            own = [
                client.get(path(user_id)).status_code
                for path in (stats_path, summary_path, progress_path)
            ]
            others = [client.get(path(other)) for path in (stats_path, summary_path, progress_path)]
        assert own == [200, 200, 200]
        assert [answer.status_code for answer in others] == [403, 403, 403]
        assert isinstance(others[0].json()["detail"], str)

    def test_view_all_does_not_open_anothers_figures(
        self, dept: Department, member: tuple[str, str]
    ) -> None:
        viewer_id, viewer = dept.add_member("member")
        dept.assign(viewer_id, dept.add_role(["training.view_all"]))
        with dept.signed_in(viewer) as client:
            assert client.get(stats_path(member[0])).status_code == 403

    def test_a_wildcard_holder_is_an_officer(
        self, dept: Department, member: tuple[str, str]
    ) -> None:
        boss_id, boss = dept.add_member("member")
        dept.assign(boss_id, dept.add_role(["training.*"]))
        assert get_json(dept, boss, summary_path(member[0]))["user_id"] == member[0]


class TestSummary:
    def test_green_when_every_requirement_is_met_and_no_cert_is_due(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        user_id, _ = member
        seed_requirement(dept, required_hours=10)
        seed_record(dept, user_id, hours_completed=12, completion_date=today())
        summary = get_json(dept, chief, summary_path(user_id))
        assert summary == {
            "user_id": user_id,
            "requirements_met": 1,
            "requirements_total": 1,
            "certs_expiring_soon": 0,
            "certs_expired": 0,
            "compliance_status": "green",
            "compliance_label": "Compliant",
            "hours_this_year": 12.0,
            "active_certifications": 0,
            "is_exempt": False,
        }

    def test_yellow_on_an_expiring_cert_and_red_under_half_met(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        user_id, _ = member
        seed_requirement(dept, required_hours=10)
        seed_record(dept, user_id, hours_completed=12, completion_date=today())
        seed_record(
            dept, user_id, certification_number="X", expiration_date=today() + timedelta(days=10)
        )
        yellow = get_json(dept, chief, summary_path(user_id))
        assert (yellow["compliance_status"], yellow["compliance_label"]) == ("yellow", "At Risk")
        seed_requirement(dept, required_hours=100)
        seed_requirement(dept, required_hours=200)
        red = get_json(dept, chief, summary_path(user_id))
        assert (red["requirements_met"], red["requirements_total"]) == (1, 3)
        assert (red["compliance_status"], red["compliance_label"]) == ("red", "Non-Compliant")

    def test_a_renewed_expired_certificate_leaves_the_member_green(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        user_id, _ = member
        course = seed_course(dept, name="Hazmat Ops")
        seed_requirement(
            dept,
            name="Hazmat",
            requirement_type="certification",
            frequency="biannual",
            required_hours=None,
            required_courses=[course],
        )
        now = today()
        for done, expires in ((-900, -100), (-30, 700)):
            seed_record(
                dept,
                user_id,
                course_id=uuid.UUID(course),
                course_name="Hazmat Ops",
                certification_number="H",
                completion_date=now + timedelta(days=done),
                expiration_date=now + timedelta(days=expires),
            )
        summary = get_json(dept, chief, summary_path(user_id))
        assert summary["compliance_status"] == "green"
        assert (summary["certs_expired"], summary["requirements_met"]) == (0, 1)

    def test_an_exempt_member_is_exempt(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        user_id, _ = member
        seed_requirement(dept)
        set_member(dept, user_id, compliance_exempt=True)
        summary = get_json(dept, chief, summary_path(user_id))
        assert summary["compliance_status"] == "exempt"
        assert summary["compliance_label"] == "Exempt"
        assert summary["is_exempt"] is True
        assert summary["requirements_total"] == 0

    def test_requirements_of_other_tiers_or_roles_do_not_count(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        user_id, _ = member
        role = dept.add_role([])
        seed_requirement(dept, required_membership_types=["probationary"])
        seed_requirement(dept, applies_to_all=False, required_roles=[role])
        summary = get_json(dept, chief, summary_path(user_id))
        assert summary["requirements_total"] == 0
        dept.assign(user_id, role)
        set_member(dept, user_id, membership_type="probationary")
        assert get_json(dept, chief, summary_path(user_id))["requirements_total"] == 2

    def test_a_member_of_another_organization_is_404(self, dept: Department, chief: str) -> None:
        stranger, _ = dept.add_member("member", organization_id=dept.second_organization())
        with dept.signed_in(chief) as client:
            answers = [client.get(summary_path(who)) for who in (stranger, str(uuid.uuid4()))]
        assert [answer.status_code for answer in answers] == [404, 404]
        assert answers[0].json()["detail"] == "Member not found"


class TestLeave:
    """Issue 14: a member on leave for two months of a quarter is not marked behind."""

    def seed(self, dept: Department, user_id: str) -> str:
        requirement = seed_requirement(
            dept, name="Quarterly drills", frequency="quarterly", required_hours=12
        )
        seed_record(dept, user_id, hours_completed=4, completion_date=today())
        return requirement

    def away(self) -> tuple[date, date]:
        """The two months of the current quarter other than this one."""
        first = quarter_start(today())
        months = [add_months(first, n) for n in range(3)]
        others = [month for month in months if month.month != today().month]
        return others[0], add_months(others[1], 1) - timedelta(days=1)

    def test_two_months_of_leave_cut_the_target_to_a_third(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        user_id, username = member
        requirement = self.seed(dept, user_id)
        behind = get_json(dept, chief, progress_path(user_id))
        assert (behind[0]["required_hours"], behind[0]["is_complete"]) == (12.0, False)
        assert get_json(dept, chief, summary_path(user_id))["compliance_status"] == "red"
        start, end = self.away()
        seed_leave(dept, user_id, start_date=start, end_date=end)
        [row] = get_json(dept, chief, progress_path(user_id))
        assert row["requirement_id"] == requirement
        assert (row["required_hours"], row["completed_hours"], row["is_complete"]) == (
            4.0,
            4.0,
            True,
        )
        assert get_json(dept, chief, summary_path(user_id))["compliance_status"] == "green"
        [detail] = get_json(dept, username, MY_TRAINING)["requirements_detail"]
        assert (detail["waived_months"], detail["active_months"]) == (2, 1)
        assert (detail["original_required_hours"], detail["required_hours"]) == (12.0, 4.0)

    def test_a_waiver_counts_once_beside_its_leave_and_a_meetings_only_leave_not_at_all(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        user_id, _ = member
        self.seed(dept, user_id)
        start, end = self.away()
        seed_leave(dept, user_id, start_date=start, end_date=end, exempt_from_training_waiver=True)
        seed_leave(dept, user_id, start_date=start, end_date=end, active=False)
        assert get_json(dept, chief, progress_path(user_id))[0]["required_hours"] == 12.0
        seed_leave(dept, user_id, start_date=start, end_date=end)
        seed_waiver(dept, user_id, start_date=start, end_date=end)
        assert get_json(dept, chief, progress_path(user_id))[0]["required_hours"] == 4.0

    def test_a_waiver_of_another_requirement_changes_nothing(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        user_id, _ = member
        self.seed(dept, user_id)
        other = seed_requirement(dept, name="Other", frequency="quarterly", required_hours=12)
        start, end = self.away()
        seed_waiver(dept, user_id, start_date=start, end_date=end, requirement_ids=[other])
        rows = {
            row["requirement_name"]: row for row in get_json(dept, chief, progress_path(user_id))
        }
        assert rows["Quarterly drills"]["required_hours"] == 12.0
        assert rows["Other"]["required_hours"] == 4.0


class TestProgress:
    def test_rows_with_target_actual_due_date_and_year_filter(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        user_id, _ = member
        now = today()
        due = now + timedelta(days=20)
        seed_requirement(
            dept,
            name="Hours",
            required_hours=8,
            due_date=due,
            year=now.year,
            due_date_type="fixed_date",
        )
        seed_requirement(dept, name="Old", required_hours=8, year=now.year - 1)
        seed_requirement(
            dept,
            name="Cert",
            requirement_type="certification",
            frequency="one_time",
            required_hours=None,
        )
        seed_record(dept, user_id, hours_completed=10, completion_date=now)
        seed_record(
            dept, user_id, course_name="Cert refresher", completion_date=now, hours_completed=0
        )
        rows = get_json(dept, chief, progress_path(user_id), year=now.year)
        by_name = {row["requirement_name"]: row for row in rows}
        assert set(by_name) == {"Hours", "Cert"}  # that year's and the undated (§8.7)
        assert by_name["Hours"] == {
            "requirement_id": by_name["Hours"]["requirement_id"],
            "requirement_name": "Hours",
            "required_hours": 8.0,
            "completed_hours": 10.0,
            "percentage_complete": 100.0,  # capped
            "is_complete": True,
            "due_date": due.isoformat(),
            "due_date_type": "fixed_date",
            "days_until_due": 20,
        }
        cert = by_name["Cert"]
        assert (cert["required_hours"], cert["completed_hours"], cert["is_complete"]) == (
            1.0,
            1.0,
            True,
        )
        assert {
            row["requirement_name"] for row in get_json(dept, chief, progress_path(user_id))
        } == {
            "Hours",
            "Old",
            "Cert",
        }

    def test_an_unknown_member_has_no_rows(self, dept: Department, chief: str) -> None:
        seed_requirement(dept)
        assert get_json(dept, chief, progress_path(str(uuid.uuid4()))) == []

    def test_the_organizations_current_month_setting_moves_the_window(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        user_id, _ = member
        now = today()
        seed_requirement(dept, name="Monthly", frequency="monthly", required_hours=2)
        seed_record(dept, user_id, hours_completed=2, completion_date=now)
        seed_record(
            dept, user_id, hours_completed=1, completion_date=now.replace(day=1) - timedelta(days=1)
        )
        assert get_json(dept, chief, progress_path(user_id))[0]["completed_hours"] == 2.0
        set_settings(dept, {"compliance": {"include_current_month": False}})
        assert get_json(dept, chief, progress_path(user_id))[0]["completed_hours"] == 1.0
        # The requirement's own switch wins over the organization's.
        seed_requirement(
            dept,
            name="Monthly too",
            frequency="monthly",
            required_hours=2,
            include_current_month=True,
        )
        rows = {
            row["requirement_name"]: row for row in get_json(dept, chief, progress_path(user_id))
        }
        assert rows["Monthly too"]["completed_hours"] == 2.0
        # A malformed setting falls back to the default.
        set_settings(dept, {"compliance": {"include_current_month": "no"}})
        assert get_json(dept, chief, progress_path(user_id))[0]["completed_hours"] == 2.0


class TestMyTraining:
    def test_the_page_in_the_spec_shape(self, dept: Department, member: tuple[str, str]) -> None:
        user_id, username = member
        now = today()
        seed_requirement(dept, name="Hours", required_hours=10)
        seed_record(dept, user_id, hours_completed=4, completion_date=now, course_name="Pump ops")
        seed_record(
            dept,
            user_id,
            status="scheduled",
            hours_completed=9,
            course_name="Later",
            completion_date=None,
        )
        cert = seed_record(
            dept,
            user_id,
            hours_completed=0,
            completion_date=now - timedelta(days=400),
            course_name="CPR",
            certification_number="C-1",
            expiration_date=now - timedelta(days=3),
        )
        page = get_json(dept, username, MY_TRAINING)
        assert set(page) == {
            "visibility",
            "training_records",
            "hours_summary",
            "requirements_summary",
            "requirements_detail",
            "certifications",
            "enrollments",
            "shift_reports",
            "shift_stats",
            "submissions",
        }
        assert page["visibility"]["show_training_history"] is True
        assert page["visibility"]["show_officer_narrative"] is False
        assert page["visibility"]["report_review_role"] == "training_officer"
        assert [row["course_name"] for row in page["training_records"]][:2] == ["Pump ops", "CPR"]
        assert page["hours_summary"]["total_records"] == 3
        assert page["hours_summary"]["total_hours"] == 4.0
        assert page["hours_summary"]["completed_courses"] == 2
        assert page["requirements_summary"] == {
            "total_requirements": 1,
            "met_requirements": 0,
            "avg_compliance": 40.0,
        }
        [detail] = page["requirements_detail"]
        assert (detail["progress_percentage"], detail["is_met"]) == (40.0, False)
        assert (detail["waived_months"], detail["active_months"]) == (0, 0)
        assert detail["due_date"] == date(now.year, 12, 31).isoformat()
        assert page["certifications"] == [
            {
                "id": cert,
                "course_name": "CPR",
                "certification_number": "C-1",
                "expiration_date": (now - timedelta(days=3)).isoformat(),
                "is_expired": True,
                "days_until_expiry": -3,
            }
        ]
        assert (page["enrollments"], page["shift_reports"], page["submissions"]) == ([], [], [])

    def test_a_voided_record_is_in_the_history_only(
        self, dept: Department, member: tuple[str, str]
    ) -> None:
        # One statement reads both: the history shows every status, the figures leave voided out.
        user_id, username = member
        now = today()
        seed_requirement(dept, name="Hours", required_hours=10)
        kept = seed_record(
            dept,
            user_id,
            hours_completed=4,
            completion_date=now,
            course_name="Kept",
            course_code="PO-1",
            training_type="skills_practice",
            instructor="Lt. Vega",
            expiration_date=now + timedelta(days=30),
        )
        voided = seed_record(
            dept,
            user_id,
            status="cancelled",
            hours_completed=5,
            completion_date=now,
            course_name="Voided",
        )
        page = get_json(dept, username, MY_TRAINING)
        history = {row["id"]: row for row in page["training_records"]}
        assert history[voided]["status"] == "cancelled"
        assert len(history) == 2
        # Every field in its place (the history is read as positional rows).
        assert history[kept] == {
            "id": kept,
            "course_name": "Kept",
            "course_code": "PO-1",
            "training_type": "skills_practice",
            "status": "completed",
            "completion_date": now.isoformat(),
            "hours_completed": 4.0,
            "expiration_date": (now + timedelta(days=30)).isoformat(),
            "instructor": "Lt. Vega",
        }
        assert page["hours_summary"]["total_records"] == 1
        assert page["hours_summary"]["total_hours"] == 4.0
        [detail] = page["requirements_detail"]
        assert detail["completed_hours"] == 4.0

    def test_hidden_blocks_stay_hidden_from_members_not_officers(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        _, username = member
        set_settings(
            dept,
            {
                "training": {
                    "member_visibility": {
                        "show_training_history": False,
                        "show_certification_status": False,
                        "rating_label": 7,  # malformed: the default stays
                    }
                }
            },
        )
        page = get_json(dept, username, MY_TRAINING)
        assert "training_records" not in page
        assert "certifications" not in page
        assert page["visibility"]["show_training_history"] is False
        assert page["visibility"]["rating_label"] == "Performance Rating"
        officers_page = get_json(dept, chief, MY_TRAINING)
        assert "training_records" in officers_page
        assert "certifications" in officers_page


class TestExpiringRecords:
    def test_members_get_their_own_officers_everyones_soonest_first(
        self, dept: Department, chief: str, member: tuple[str, str]
    ) -> None:
        user_id, username = member
        other, _ = dept.add_member("member")
        now = today()
        late = seed_record(dept, user_id, expiration_date=now + timedelta(days=80))
        gone = seed_record(dept, user_id, expiration_date=now - timedelta(days=400))
        beyond = seed_record(dept, user_id, expiration_date=now + timedelta(days=91))
        seed_record(dept, user_id, status="scheduled", expiration_date=now)
        others = seed_record(dept, other, expiration_date=now + timedelta(days=1))
        foreign = dept.second_organization()
        stranger, _ = dept.add_member("member", organization_id=foreign)
        seed_record(dept, stranger, organization_id=foreign, expiration_date=now)
        own = get_json(dept, username, EXPIRING_RECORDS, user_id=other)
        assert [row["id"] for row in own] == [gone, late]
        assert own[0]["status"] == "completed"
        everyone = get_json(dept, chief, EXPIRING_RECORDS)
        assert [row["id"] for row in everyone] == [gone, others, late]
        further = get_json(dept, chief, EXPIRING_RECORDS, days_ahead=91)
        assert [row["id"] for row in further] == [gone, others, late, beyond]

    def test_a_renewal_hides_the_record_it_replaced(
        self, dept: Department, member: tuple[str, str]
    ) -> None:
        user_id, username = member
        now = today()
        seed_record(
            dept,
            user_id,
            course_name="Driver",
            completion_date=now - timedelta(days=500),
            expiration_date=now - timedelta(days=5),
        )
        assert len(get_json(dept, username, EXPIRING_RECORDS)) == 1
        seed_record(
            dept,
            user_id,
            course_name="DRIVER",
            completion_date=now - timedelta(days=4),
            expiration_date=now + timedelta(days=720),
        )
        assert get_json(dept, username, EXPIRING_RECORDS) == []

    def test_days_ahead_is_bounded(self, dept: Department, member: tuple[str, str]) -> None:
        with dept.signed_in(member[1]) as client:
            answers = [
                client.get(EXPIRING_RECORDS, params={"days_ahead": days}).status_code
                for days in (0, 1, 3650, 3651)
            ]
        assert answers == [422, 200, 200, 422]
