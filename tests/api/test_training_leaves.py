"""Leaves of absence (spec leaves-waivers-ranks-errors.md §1, issue 14 item 5): who grants,
reads and ends them, the auto-linked training waiver, audit entries and events without the
reason, tenancy, and the leave's effect on a member's training target."""

import uuid
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models import DueDateType, MemberStatus, User
from tests.api.department import Department
from tests.api.training_periods_support import (
    LEAVES,
    REASON,
    WAIVERS,
    audit_rows,
    granter,
    leave_body,
    member_leaves_path,
    mentions,
    outbox_rows,
    with_permissions,
)
from tests.api.training_reads_support import progress_path, seed_requirement, today
from tests.api.training_support import officer
from tests.support import factories


@pytest.fixture
def dept(department: Department) -> Department:
    return department


def grant(dept: Department, user_id: str, **fields: object) -> dict[str, object]:
    """A leave granted through the api (201 asserted)."""
    with dept.signed_in(granter(dept)[1]) as client:
        response = client.post(LEAVES, json=leave_body(user_id, **fields))
    assert response.status_code == 201, response.text
    return dict(response.json())


def status_of(dept: Department, user_id: str) -> MemberStatus:
    async def run(session: AsyncSession) -> MemberStatus:
        user = await session.get(User, uuid.UUID(user_id))
        assert user is not None
        return user.status

    return dept.run(run)


class TestGrant:
    def test_a_leave_links_a_waiver_of_the_same_member_and_dates(self, dept: Department) -> None:
        target, _ = dept.add_member("member")
        granter_id, granter_name = granter(dept)
        with dept.signed_in(granter_name) as client:
            response = client.post(LEAVES, json=leave_body(target, reason=REASON))
        assert response.status_code == 201, response.text
        leave = response.json()
        assert {k: leave[k] for k in ("user_id", "leave_type", "reason", "start_date")} == {
            "user_id": target,
            "leave_type": "leave_of_absence",
            "reason": REASON,
            "start_date": "2026-03-01",
        }
        assert (leave["end_date"], leave["active"], leave["granted_by"]) == (
            "2026-05-31",
            True,
            granter_id,
        )
        assert leave["exempt_from_training_waiver"] is False
        assert leave["granted_at"].endswith("Z")
        assert leave["organization_id"] == dept.organization_id

        with dept.signed_in(officer(dept)) as client:
            (waiver,) = client.get(WAIVERS, params={"user_id": target}).json()
        assert waiver["id"] == leave["linked_training_waiver_id"]
        assert waiver["reason"] == f"Auto-created from leave of absence: {REASON}"
        assert (waiver["waiver_type"], waiver["start_date"], waiver["end_date"]) == (
            "leave_of_absence",
            "2026-03-01",
            "2026-05-31",
        )
        assert (waiver["requirement_ids"], waiver["granted_by"], waiver["active"]) == (
            None,
            granter_id,
            True,
        )
        assert waiver["granted_at"] == leave["granted_at"]
        # The leave never sets the member's status (§1.3 #2).
        assert status_of(dept, target) is MemberStatus.ACTIVE

    def test_a_leave_without_a_reason_says_only_where_its_waiver_came_from(
        self, dept: Department
    ) -> None:
        target, _ = dept.add_member("member")
        leave = grant(dept, target, leave_type="military", end_date=None)
        assert (leave["leave_type"], leave["end_date"], leave["reason"]) == ("military", None, None)
        with dept.signed_in(officer(dept)) as client:
            (waiver,) = client.get(WAIVERS, params={"user_id": target}).json()
        assert waiver["reason"] == "Auto-created from leave of absence"
        assert (waiver["waiver_type"], waiver["end_date"]) == ("military", None)

    def test_an_exempt_leave_waives_no_training(self, dept: Department) -> None:
        target, _ = dept.add_member("member")
        leave = grant(dept, target, exempt_from_training_waiver=True)
        assert leave["linked_training_waiver_id"] is None
        with dept.signed_in(officer(dept)) as client:
            waivers = client.get(WAIVERS, params={"user_id": target, "active_only": False})
        assert waivers.json() == []

    @pytest.mark.parametrize(
        ("sent", "stored"),
        [("MEDICAL", "medical"), ("sabbatical", "other"), ("new_member", "new_member")],
    )
    def test_an_unknown_type_is_stored_as_other(
        self, dept: Department, sent: str, stored: str
    ) -> None:
        target, _ = dept.add_member("member")
        assert grant(dept, target, leave_type=sent)["leave_type"] == stored

    def test_a_leave_may_end_the_day_it_starts_but_not_before(self, dept: Department) -> None:
        target, _ = dept.add_member("member")
        assert grant(dept, target, end_date="2026-03-01")["end_date"] == "2026-03-01"
        with dept.signed_in(granter(dept)[1]) as client:
            response = client.post(LEAVES, json=leave_body(target, end_date="2026-02-28"))
        assert response.status_code == 400
        assert response.json()["detail"] == "End date must be after start date"

    def test_only_the_organizations_members_get_leaves(self, dept: Department) -> None:
        other_org = dept.second_organization()
        outsider, _ = dept.add_member("member", organization_id=other_org)
        with dept.signed_in(granter(dept)[1]) as client:
            for user_id in (outsider, str(uuid.uuid4())):
                response = client.post(LEAVES, json=leave_body(user_id))
                assert response.status_code == 404
                assert response.json()["detail"] == "Member not found"

    @pytest.mark.parametrize(
        "body",
        [
            {"start_date": "2026-03-01"},
            {"user_id": "not-an-id", "start_date": "2026-03-01"},
            {"user_id": "{user}"},
            {"user_id": "{user}", "start_date": "2026-02-30"},
            {"user_id": "{user}", "start_date": "1899-12-31"},
            {"user_id": "{user}", "start_date": "2026-03-01", "leave_type": "x" * 101},
            {"user_id": "{user}", "start_date": "2026-03-01", "reason": "x" * 10_001},
        ],
    )
    def test_malformed_bodies_are_422(self, dept: Department, body: dict[str, str]) -> None:
        target, _ = dept.add_member("member")
        sent = {k: v.replace("{user}", target) for k, v in body.items()}
        with dept.signed_in(granter(dept)[1]) as client:
            assert client.post(LEAVES, json=sent).status_code == 422

    @pytest.mark.parametrize(
        "permissions",
        [(), ("members.manage",), ("scheduling.assign",), ("training.manage",)],
    )
    def test_granting_needs_members_manage_and_scheduling_assign(
        self, dept: Department, permissions: tuple[str, ...]
    ) -> None:
        target, _ = dept.add_member("member")
        with dept.signed_in(with_permissions(dept, *permissions)[1]) as client:
            response = client.post(LEAVES, json=leave_body(target))
        assert response.status_code == 403
        assert mentions(dept, target) is False


class TestLists:
    def test_the_list_is_for_member_and_training_managers(self, dept: Department) -> None:
        target, _ = dept.add_member("member")
        leave = grant(dept, target)
        for permissions in (("members.manage",), ("training.manage",)):
            with dept.signed_in(with_permissions(dept, *permissions)[1]) as client:
                listed = client.get(LEAVES, params={"user_id": target})
            assert listed.status_code == 200, listed.text
            assert [row["id"] for row in listed.json()] == [leave["id"]]
        for permissions in ((), ("scheduling.assign",)):
            with dept.signed_in(with_permissions(dept, *permissions)[1]) as client:
                assert client.get(LEAVES).status_code == 403

    def test_latest_start_first_active_only_unless_asked(self, dept: Department) -> None:
        target, _ = dept.add_member("member")
        spring = grant(dept, target)
        winter = grant(dept, target, start_date="2026-12-01", end_date=None)
        autumn = grant(dept, target, start_date="2026-09-01", end_date="2026-09-30")
        with dept.signed_in(granter(dept)[1]) as client:
            assert client.delete(f"{LEAVES}/{autumn['id']}").status_code == 204
            active = client.get(LEAVES, params={"user_id": target}).json()
            everything = client.get(LEAVES, params={"user_id": target, "active_only": False})
            paged = client.get(
                LEAVES, params={"user_id": target, "active_only": False, "skip": 1, "limit": 1}
            )
        assert [row["id"] for row in active] == [winter["id"], spring["id"]]
        assert [row["id"] for row in everything.json()] == [
            winter["id"],
            autumn["id"],
            spring["id"],
        ]
        assert [row["id"] for row in paged.json()] == [autumn["id"]]

    def test_another_organizations_leaves_are_never_listed(self, dept: Department) -> None:
        other_org = dept.second_organization()
        outsider, _ = dept.add_member("member", organization_id=other_org)

        async def seed(session: AsyncSession) -> None:
            await factories.leave_of_absence(session, uuid.UUID(other_org), uuid.UUID(outsider))

        dept.run(seed)
        with dept.signed_in(granter(dept)[1]) as client:
            assert client.get(LEAVES, params={"active_only": False}).json() == []
            assert client.get(member_leaves_path(outsider)).json() == []

    @pytest.mark.parametrize(
        "params", [{"limit": 0}, {"limit": 1001}, {"skip": -1}, {"user_id": "x"}]
    )
    def test_bounds_are_422(self, dept: Department, params: dict[str, object]) -> None:
        with dept.signed_in(granter(dept)[1]) as client:
            assert client.get(LEAVES, params=params).status_code == 422

    def test_a_member_reads_their_own_leaves_and_a_manager_anyones(self, dept: Department) -> None:
        target, target_name = dept.add_member("member")
        leave = grant(dept, target)
        for username in (target_name, with_permissions(dept, "members.manage")[1]):
            with dept.signed_in(username) as client:
                response = client.get(member_leaves_path(target), params={"active_only": True})
            assert response.status_code == 200, response.text
            assert [row["id"] for row in response.json()] == [leave["id"]]
            assert response.json()[0]["reason"] is None

    def test_anyone_else_reads_an_empty_list_not_a_403(self, dept: Department) -> None:
        # [fix]: the profile page asks on every view; a 403 would file an error report.
        target, _ = dept.add_member("member")
        grant(dept, target)
        for permissions in ((), ("training.manage",)):
            with dept.signed_in(with_permissions(dept, *permissions)[1]) as client:
                response = client.get(member_leaves_path(target))
            assert (response.status_code, response.json()) == (200, [])

    def test_an_unknown_member_has_no_leaves(self, dept: Department) -> None:
        with dept.signed_in(granter(dept)[1]) as client:
            response = client.get(member_leaves_path(str(uuid.uuid4())))
            malformed = client.get(member_leaves_path("not-an-id"))
        assert (response.status_code, response.json()) == (200, [])
        assert malformed.status_code == 422


class TestDeactivate:
    def test_a_deactivated_leave_turns_its_waiver_off_once(self, dept: Department) -> None:
        target, _ = dept.add_member("member")
        leave = grant(dept, target, reason=REASON)
        with dept.signed_in(granter(dept)[1]) as client:
            assert client.delete(f"{LEAVES}/{leave['id']}").status_code == 204
            assert client.delete(f"{LEAVES}/{leave['id']}").status_code == 204
            (stored,) = client.get(member_leaves_path(target), params={"active_only": False}).json()
        assert stored["active"] is False
        with dept.signed_in(officer(dept)) as client:
            (waiver,) = client.get(WAIVERS, params={"user_id": target, "active_only": False}).json()
        assert (waiver["id"], waiver["active"]) == (leave["linked_training_waiver_id"], False)

        leave_audit = [row["event_type"] for row in audit_rows(dept, "user_management")]
        assert leave_audit.count("leave_of_absence_deleted") == 1
        waiver_audit = [row["event_type"] for row in audit_rows(dept, "training")]
        assert waiver_audit == ["training_waiver_created", "training_waiver_deactivated"]
        assert [subject for subject, _ in outbox_rows(dept, "logbook.api.leave.%")] == [
            "logbook.api.leave.created",
            "logbook.api.leave.deactivated",
        ]
        changes = outbox_rows(dept, "logbook.api.training.waiver_changed")
        assert [(data["verb"], data["active"]) for _, data in changes] == [
            ("created", True),
            ("deactivated", False),
        ]

    def test_unknown_and_foreign_leaves_are_404(self, dept: Department) -> None:
        other_org = dept.second_organization()
        outsider, _ = dept.add_member("member", organization_id=other_org)

        async def seed(session: AsyncSession) -> str:
            row = await factories.leave_of_absence(
                session, uuid.UUID(other_org), uuid.UUID(outsider)
            )
            return str(row.id)

        foreign = dept.run(seed)
        with dept.signed_in(granter(dept)[1]) as client:
            for leave_id in (foreign, str(uuid.uuid4())):
                response = client.delete(f"{LEAVES}/{leave_id}")
                assert response.status_code == 404
                assert response.json()["detail"] == "Leave of absence not found"

    def test_ending_a_leave_needs_members_manage(self, dept: Department) -> None:
        target, _ = dept.add_member("member")
        leave = grant(dept, target)
        for permissions in ((), ("scheduling.assign",), ("training.manage",)):
            with dept.signed_in(with_permissions(dept, *permissions)[1]) as client:
                assert client.delete(f"{LEAVES}/{leave['id']}").status_code == 403
        with dept.signed_in(with_permissions(dept, "members.manage")[1]) as client:
            assert client.delete(f"{LEAVES}/{leave['id']}").status_code == 204


class TestTrail:
    def test_audit_entries_and_events_name_the_leave_never_its_reason(
        self, dept: Department
    ) -> None:
        target, _ = dept.add_member("member")
        leave = grant(dept, target, reason=REASON, leave_type="medical", end_date=None)

        (entry,) = [
            row for row in audit_rows(dept, "user_management") if row["data"].get("leave_id")
        ]
        assert entry["event_type"] == "leave_of_absence_created"
        facts = {key: entry["data"].get(key) for key in LEAVE_AUDIT_KEYS}
        assert facts == {
            "target_user_id": target,
            "leave_id": leave["id"],
            "leave_type": "medical",
            "start_date": "2026-03-01",
            "end_date": None,
            "active": True,
            "exempt_from_training_waiver": False,
        }
        ((_, created),) = outbox_rows(dept, "logbook.api.leave.created")
        assert created == {
            "leave_id": leave["id"],
            "user_id": target,
            "leave_type": "medical",
            "start_date": "2026-03-01",
            "end_date": None,
            "active": True,
            "exempt_from_training_waiver": False,
            "linked_training_waiver_id": leave["linked_training_waiver_id"],
        }
        assert mentions(dept, "Knee surgery") is False

    def test_the_members_history_shows_the_leave_as_a_status_change(self, dept: Department) -> None:
        target, _ = dept.add_member("member")
        grant(dept, target)
        with dept.signed_in(with_permissions(dept, "members.manage")[1]) as client:
            history = client.get(
                f"/api/v1/users/{target}/audit-history", params={"event_type": "status_change"}
            )
        assert history.status_code == 200, history.text
        assert [row["event_type"] for row in history.json()] == ["leave_of_absence_created"]


LEAVE_AUDIT_KEYS = (
    "target_user_id",
    "leave_id",
    "leave_type",
    "start_date",
    "end_date",
    "active",
    "exempt_from_training_waiver",
)


class TestCompliance:
    def test_a_leave_lowers_the_rolling_hours_target_unless_exempt(self, dept: Department) -> None:
        # 24 hours over a rolling year; three whole months away waive a quarter of it (§2.2).
        requirement = seed_requirement(
            dept,
            required_hours=24.0,
            due_date_type=DueDateType.ROLLING,
            rolling_period_months=12,
            include_current_month=True,
        )
        on_leave, _ = dept.add_member("member")
        exempt, _ = dept.add_member("member")
        start, end = _three_months_back(today())
        grant(dept, on_leave, start_date=start.isoformat(), end_date=end.isoformat())
        grant(
            dept,
            exempt,
            start_date=start.isoformat(),
            end_date=end.isoformat(),
            exempt_from_training_waiver=True,
        )
        with dept.signed_in(officer(dept)) as client:
            targets = {
                user_id: _target(client.get(progress_path(user_id)).json(), requirement)
                for user_id in (on_leave, exempt)
            }
        assert targets == {on_leave: 18.0, exempt: 24.0}


def _three_months_back(day: date) -> tuple[date, date]:
    """The first and last days of the three whole calendar months before `day`'s month."""
    month_index = day.year * 12 + day.month - 1
    first_year, first_month = divmod(month_index - 3, 12)
    last_year, last_month = divmod(month_index, 12)
    first = date(first_year, first_month + 1, 1)
    last = date(last_year, last_month + 1, 1).replace(day=1)
    return first, date.fromordinal(last.toordinal() - 1)


def _target(progress: list[dict[str, object]], requirement_id: str) -> object:
    (row,) = [row for row in progress if row["requirement_id"] == requirement_id]
    return row["required_hours"]
