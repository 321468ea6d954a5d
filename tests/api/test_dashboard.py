"""The dashboard routes of app-shell spec §4 through the in-process api, on real member rows."""

import uuid

from sqlalchemy import update

from shared.db.types import utc_now
from shared.models import MemberStatus, Organization, User
from tests.api.signed_in import (  # noqa: F401 - the `org` fixture
    SignedInOrganization,
    signed_in_organization,
)
from tests.support.factories import new_member

DASHBOARD = "/api/v1/dashboard"
ZEROS = {
    "training_completion_pct": 0.0,
    "upcoming_events_count": 0,
    "overdue_action_items": 0,
    "open_action_items": 0,
    "recent_training_hours": 0.0,
    "recent_admin_hours": 0.0,
    "pending_admin_hours_approvals": 0,
}
PERIODS = {
    "month": "This month",
    "quarter": "This quarter",
    "year": "This year",
    "rolling_30": "Rolling 30 days",
}
# Every LATER path the dashboard and its organization tab call (§4.1-§4.3): the page tolerates
# the standard JSON 404 and shows the rest.
LATER_PATHS = [
    "/api/v1/dashboard/operations",
    "/api/v1/dashboard/asset-widgets",
    "/api/v1/dashboard/action-items?status_filter=open&assigned_to_me=true",
    "/api/v1/dashboard/community-engagement",
    "/api/v1/organization/setup-checklist",
    "/api/v1/messages/inbox?include_read=false&limit=10",
    "/api/v1/messages/inbox/unread-count",
    "/api/v1/scheduling/my-shifts?start_date=2026-12-05&end_date=2027-01-04&limit=5",
    "/api/v1/scheduling/shifts/open?start_date=2026-12-05&end_date=2027-01-04",
    "/api/v1/scheduling/summary",
    "/api/v1/scheduling/eligibility/positions",
    "/api/v1/admin-hours/summary?start_date=2026-12-01&end_date=2026-12-05",
    "/api/v1/medical-screening/compliance/me",
    "/api/v1/training/programs/enrollments/me?status=active",
    "/api/v1/training/programs/enrollments/0b7e3c1e-7f51-4c39-9a4b-0d7e4f6c2a11",
]


async def add_members(org: SignedInOrganization, *statuses: MemberStatus) -> None:
    for status in statuses:
        await org.member(status=status)


class TestWidgets:
    async def test_every_period_answers_its_label_and_null_blocks(
        self, org: SignedInOrganization
    ) -> None:
        _, member = await org.member()
        for period, label in PERIODS.items():
            response = await org.api.get(
                f"{DASHBOARD}/widgets", params={"period": period}, headers=member
            )
            assert response.status_code == 200, response.text
            assert response.json() == {
                "period": period,
                "period_label": label,
                "finance": None,
                "fundraising": None,
                "community": None,
            }

    async def test_the_period_defaults_to_the_month(self, org: SignedInOrganization) -> None:
        response = await org.api.get(f"{DASHBOARD}/widgets", headers=org.admin)
        assert response.json()["period"] == "month"

    async def test_an_unknown_period_is_a_422(self, org: SignedInOrganization) -> None:
        response = await org.api.get(
            f"{DASHBOARD}/widgets", params={"period": "week"}, headers=org.admin
        )
        assert response.status_code == 422
        assert response.json()["code"] == "LB-VAL-001"
        assert response.json()["detail"][0]["field"] == "period"

    async def test_without_a_session_it_is_a_401(self, org: SignedInOrganization) -> None:
        response = await org.api.get(f"{DASHBOARD}/widgets")
        assert response.status_code == 401
        assert response.json()["code"] == "LB-AUTH-001"


class TestAdminSummary:
    async def test_member_counts_are_real_and_other_modules_count_zero(
        self, org: SignedInOrganization
    ) -> None:
        # The IT manager of the fixture is active; two more active, three not, one deleted.
        await add_members(
            org,
            MemberStatus.ACTIVE,
            MemberStatus.ACTIVE,
            MemberStatus.INACTIVE,
            MemberStatus.LEAVE,
            MemberStatus.ARCHIVED,
        )
        deleted, _ = await org.member()
        async with org.sessions() as session:
            await session.execute(
                update(User).where(User.id == deleted.id).values(deleted_at=utc_now())
            )
            await session.commit()
        response = await org.api.get(f"{DASHBOARD}/admin-summary", headers=org.admin)
        assert response.status_code == 200, response.text
        assert response.json() == {
            "active_members": 3,
            "inactive_members": 3,
            "total_members": 6,
            **ZEROS,
        }

    async def test_another_organizations_members_are_not_counted(
        self, org: SignedInOrganization
    ) -> None:
        other = uuid.uuid4()
        async with org.sessions() as session:
            session.add(Organization(id=other, name="Station 12", slug=f"s-{other}"))
            await session.flush()
            session.add_all([new_member(other), new_member(other)])
            await session.commit()
        response = await org.api.get(f"{DASHBOARD}/admin-summary", headers=org.admin)
        assert response.json()["total_members"] == 1  # the IT manager alone

    async def test_it_needs_settings_manage(self, org: SignedInOrganization) -> None:
        _, officer = await org.member("vice_president")  # audit.view, no settings.manage
        response = await org.api.get(f"{DASHBOARD}/admin-summary", headers=officer)
        assert response.status_code == 403
        assert response.json()["code"] == "LB-PERM-001"


class TestStats:
    async def test_any_member_reads_the_totals(self, org: SignedInOrganization) -> None:
        await add_members(org, MemberStatus.SUSPENDED)
        _, member = await org.member()
        response = await org.api.get(f"{DASHBOARD}/stats", headers=member)
        assert response.status_code == 200, response.text
        assert response.json() == {
            "total_members": 3,
            "active_members": 2,
            "total_documents": 0,
            "setup_percentage": 100,
            "recent_events_count": 0,
            "pending_tasks_count": 0,
        }


class TestLaterPaths:
    async def test_every_later_path_answers_the_standard_404(
        self, org: SignedInOrganization
    ) -> None:
        for path in LATER_PATHS:
            response = await org.api.get(path, headers=org.admin)
            assert response.status_code == 404, path
            body = response.json()
            assert body["code"] == "LB-API-404", path
            assert set(body) == {"detail", "code", "request_id"}, path
            assert body["request_id"], path
