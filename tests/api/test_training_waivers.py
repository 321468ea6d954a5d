"""Training waivers (spec leaves-waivers-ranks-errors.md §2, issue 14 item 5): grants with
their [fix]es, the list member managers may read [fix], deactivation, audit entries and events
without the reason, tenancy, and a waiver's effect on a member's target."""

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models import DueDateType, RequirementFrequency
from tests.api.department import Department
from tests.api.training_periods_support import (
    LEAVES,
    REASON,
    WAIVERS,
    audit_rows,
    granter,
    leave_body,
    mentions,
    outbox_rows,
    quarters_first_month,
    with_permissions,
)
from tests.api.training_reads_support import progress_path, seed_requirement
from tests.api.training_support import officer
from tests.support import factories


@pytest.fixture
def dept(department: Department) -> Department:
    return department


def waiver_body(user_id: str, **fields: object) -> dict[str, object]:
    return {"user_id": user_id, "start_date": "2026-01-01", "end_date": "2026-06-30", **fields}


def grant(dept: Department, user_id: str, **fields: object) -> dict[str, object]:
    """A waiver granted through the api by a training officer (201 asserted)."""
    with dept.signed_in(officer(dept)) as client:
        response = client.post(WAIVERS, json=waiver_body(user_id, **fields))
    assert response.status_code == 201, response.text
    return dict(response.json())


def foreign_member(dept: Department) -> tuple[str, str]:
    """Another organization and one of its members: (organization id, member id)."""
    other_org = dept.second_organization()
    return other_org, dept.add_member("member", organization_id=other_org)[0]


class TestGrant:
    def test_an_officer_waives_every_requirement_by_default(self, dept: Department) -> None:
        target, _ = dept.add_member("member")
        officer_id, officer_name = dept.add_member("training_officer")
        with dept.signed_in(officer_name) as client:
            response = client.post(WAIVERS, json=waiver_body(target, reason=REASON))
        assert response.status_code == 201, response.text
        waiver = response.json()
        assert {k: waiver[k] for k in ("user_id", "waiver_type", "reason", "requirement_ids")} == {
            "user_id": target,
            "waiver_type": "leave_of_absence",
            "reason": REASON,
            "requirement_ids": None,
        }
        assert (waiver["start_date"], waiver["end_date"], waiver["active"]) == (
            "2026-01-01",
            "2026-06-30",
            True,
        )
        assert waiver["granted_by"] == officer_id
        assert waiver["granted_at"].endswith("Z")
        assert waiver["organization_id"] == dept.organization_id

    def test_a_waiver_may_name_the_organizations_requirements(self, dept: Department) -> None:
        target, _ = dept.add_member("member")
        mine = seed_requirement(dept)
        assert grant(dept, target, requirement_ids=[mine])["requirement_ids"] == [mine]
        assert grant(dept, target, requirement_ids=[])["requirement_ids"] == []

    def test_another_organizations_or_an_unknown_requirement_is_400(self, dept: Department) -> None:
        # [fix]: the original stores any id.
        target, _ = dept.add_member("member")
        other_org, _ = foreign_member(dept)
        foreign = seed_requirement(dept, organization_id=other_org)
        mine = seed_requirement(dept)
        with dept.signed_in(officer(dept)) as client:
            for ids in ([mine, foreign], [str(uuid.uuid4())]):
                response = client.post(WAIVERS, json=waiver_body(target, requirement_ids=ids))
                assert response.status_code == 400, response.text
        assert mentions(dept, target) is False

    @pytest.mark.parametrize(("sent", "stored"), [("Personal", "personal"), ("gap_year", "other")])
    def test_an_unknown_type_is_stored_as_other(
        self, dept: Department, sent: str, stored: str
    ) -> None:
        target, _ = dept.add_member("member")
        assert grant(dept, target, waiver_type=sent)["waiver_type"] == stored

    def test_dates_out_of_order_are_400_and_open_ended_waivers_pass(self, dept: Department) -> None:
        target, _ = dept.add_member("member")
        assert grant(dept, target, end_date=None)["end_date"] is None
        assert grant(dept, target, end_date="2026-01-01")["end_date"] == "2026-01-01"
        with dept.signed_in(officer(dept)) as client:
            response = client.post(WAIVERS, json=waiver_body(target, end_date="2025-12-31"))
        assert response.status_code == 400
        assert response.json()["detail"] == "End date must be after start date"

    def test_only_the_organizations_members_get_waivers(self, dept: Department) -> None:
        _, outsider = foreign_member(dept)
        with dept.signed_in(officer(dept)) as client:
            for user_id in (outsider, str(uuid.uuid4())):
                response = client.post(WAIVERS, json=waiver_body(user_id))
                assert response.status_code == 404
                assert response.json()["detail"] == "Member not found"

    @pytest.mark.parametrize(
        "fields",
        [
            {"start_date": None},
            {"start_date": "2026-13-01"},
            {"end_date": "2200-01-01"},
            {"requirement_ids": ["not-an-id"]},
            {"requirement_ids": [str(uuid.uuid4()) for _ in range(501)]},
            {"waiver_type": None},
            {"reason": "\x00"},
        ],
    )
    def test_malformed_bodies_are_422(self, dept: Department, fields: dict[str, object]) -> None:
        target, _ = dept.add_member("member")
        with dept.signed_in(officer(dept)) as client:
            assert client.post(WAIVERS, json=waiver_body(target, **fields)).status_code == 422

    @pytest.mark.parametrize("permissions", [(), ("members.manage",), ("training.view_all",)])
    def test_granting_needs_training_manage(
        self, dept: Department, permissions: tuple[str, ...]
    ) -> None:
        target, _ = dept.add_member("member")
        with dept.signed_in(with_permissions(dept, *permissions)[1]) as client:
            assert client.post(WAIVERS, json=waiver_body(target)).status_code == 403


class TestList:
    def test_officers_and_member_managers_read_the_list(self, dept: Department) -> None:
        # [fix] a secretary (members.manage alone) opens the members admin's waiver page.
        target, _ = dept.add_member("member")
        waiver = grant(dept, target)
        for permissions in (("training.manage",), ("members.manage",)):
            with dept.signed_in(with_permissions(dept, *permissions)[1]) as client:
                listed = client.get(WAIVERS, params={"user_id": target})
            assert listed.status_code == 200, listed.text
            assert [row["id"] for row in listed.json()] == [waiver["id"]]
        for permissions in ((), ("scheduling.assign",), ("training.view_all",)):
            with dept.signed_in(with_permissions(dept, *permissions)[1]) as client:
                assert client.get(WAIVERS).status_code == 403

    def test_latest_start_first_with_the_waivers_of_leaves(self, dept: Department) -> None:
        target, _ = dept.add_member("member")
        other, _ = dept.add_member("member")
        january = grant(dept, target)
        march = grant(dept, target, start_date="2026-03-01", end_date=None)
        grant(dept, other, start_date="2026-04-01")
        with dept.signed_in(granter(dept)[1]) as client:
            leave = client.post(LEAVES, json=leave_body(target, start_date="2026-02-01"))
        assert leave.status_code == 201, leave.text
        with dept.signed_in(officer(dept)) as client:
            assert client.delete(f"{WAIVERS}/{january['id']}").status_code == 204
            active = client.get(WAIVERS, params={"user_id": target}).json()
            everything = client.get(WAIVERS, params={"user_id": target, "active_only": False})
            page = client.get(WAIVERS, params={"active_only": False, "skip": 1, "limit": 2})
        linked = leave.json()["linked_training_waiver_id"]
        assert [row["id"] for row in active] == [march["id"], linked]
        assert [row["id"] for row in everything.json()] == [march["id"], linked, january["id"]]
        assert [row["id"] for row in page.json()] == [march["id"], linked]

    def test_another_organizations_waivers_are_never_listed(self, dept: Department) -> None:
        other_org, outsider = foreign_member(dept)

        async def seed(session: AsyncSession) -> None:
            await factories.training_waiver(session, uuid.UUID(other_org), uuid.UUID(outsider))

        dept.run(seed)
        with dept.signed_in(officer(dept)) as client:
            assert client.get(WAIVERS, params={"active_only": False}).json() == []
            assert client.get(WAIVERS, params={"user_id": outsider}).json() == []

    @pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 1001}, {"active_only": "x"}])
    def test_bounds_are_422(self, dept: Department, params: dict[str, object]) -> None:
        with dept.signed_in(officer(dept)) as client:
            assert client.get(WAIVERS, params=params).status_code == 422


class TestDeactivate:
    def test_a_deactivation_is_kept_and_audited_once(self, dept: Department) -> None:
        target, _ = dept.add_member("member")
        waiver = grant(dept, target, reason=REASON)
        with dept.signed_in(officer(dept)) as client:
            assert client.delete(f"{WAIVERS}/{waiver['id']}").status_code == 204
            assert client.delete(f"{WAIVERS}/{waiver['id']}").status_code == 204
            (stored,) = client.get(WAIVERS, params={"user_id": target, "active_only": False}).json()
        assert stored["active"] is False

        entries = audit_rows(dept, "training")
        assert [row["event_type"] for row in entries] == [
            "training_waiver_created",
            "training_waiver_deactivated",
        ]
        assert entries[0]["data"]["waiver_id"] == waiver["id"]
        assert entries[0]["data"]["target_user_id"] == target
        changes = outbox_rows(dept, "logbook.api.training.waiver_changed")
        assert [(data["waiver_id"], data["verb"]) for _, data in changes] == [
            (waiver["id"], "created"),
            (waiver["id"], "deactivated"),
        ]
        assert changes[0][1]["user_id"] == target
        assert mentions(dept, "Knee surgery") is False

    def test_unknown_and_foreign_waivers_are_404(self, dept: Department) -> None:
        other_org, outsider = foreign_member(dept)

        async def seed(session: AsyncSession) -> str:
            row = await factories.training_waiver(
                session, uuid.UUID(other_org), uuid.UUID(outsider)
            )
            return str(row.id)

        foreign = dept.run(seed)
        with dept.signed_in(officer(dept)) as client:
            for waiver_id in (foreign, str(uuid.uuid4())):
                response = client.delete(f"{WAIVERS}/{waiver_id}")
                assert response.status_code == 404
                assert response.json()["detail"] == "Waiver not found"

    def test_deactivating_needs_training_manage(self, dept: Department) -> None:
        target, _ = dept.add_member("member")
        waiver = grant(dept, target)
        for permissions in ((), ("members.manage",)):
            with dept.signed_in(with_permissions(dept, *permissions)[1]) as client:
                assert client.delete(f"{WAIVERS}/{waiver['id']}").status_code == 403


class TestCompliance:
    def test_a_waiver_of_one_requirement_lowers_only_that_target(self, dept: Department) -> None:
        # One waived month of a quarter's three lowers 9 hours to 6 (§2.2 #3).
        quarterly = seed_requirement(
            dept,
            name="Quarterly drills",
            required_hours=9.0,
            frequency=RequirementFrequency.QUARTERLY,
            due_date_type=DueDateType.CALENDAR_PERIOD,
            year=None,
            include_current_month=True,
        )
        untouched = seed_requirement(
            dept,
            name="Quarterly pump ops",
            required_hours=9.0,
            frequency=RequirementFrequency.QUARTERLY,
            year=None,
            include_current_month=True,
        )
        target, _ = dept.add_member("member")
        first, last = quarters_first_month()
        grant(
            dept,
            target,
            start_date=first,
            end_date=last,
            requirement_ids=[quarterly],
        )
        with dept.signed_in(officer(dept)) as client:
            progress = client.get(progress_path(target)).json()
        targets = {row["requirement_id"]: row["required_hours"] for row in progress}
        assert (targets[quarterly], targets[untouched]) == (6.0, 9.0)
