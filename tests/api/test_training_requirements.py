"""Training requirements in-process (spec training.md §3 #15-#18, §4.3, §8.5-§8.7): the spec
shape with `config_warning`, the year filter and due-date order, checklist steps members may
not see, the 422 of a missing target, 400 for another organization's courses (create and
edit), permanent delete; audit entries and events; permissions and tenancy."""

from datetime import date
from typing import Any

import pytest

from tests.api.department import Department
from tests.api.training_reads_support import REQUIREMENTS, get_json, seed_requirement
from tests.api.training_support import (
    audit_types,
    created,
    officer,
    outbox_subjects,
    seed_course,
    unique,
)

REQUIREMENT_FIELDS = {
    "id",
    "organization_id",
    "name",
    "description",
    "requirement_type",
    "source",
    "registry_name",
    "registry_code",
    "is_editable",
    "allows_external_credit",
    "training_type",
    "required_hours",
    "required_courses",
    "required_shifts",
    "required_calls",
    "required_call_types",
    "required_skills",
    "checklist_items",
    "passing_score",
    "max_attempts",
    "frequency",
    "year",
    "applies_to_all",
    "required_roles",
    "required_positions",
    "required_membership_types",
    "start_date",
    "due_date",
    "time_limit_days",
    "due_date_type",
    "rolling_period_months",
    "period_start_month",
    "period_start_day",
    "period_end_month",
    "period_end_day",
    "include_current_month",
    "recency_days",
    "category_ids",
    "active",
    "created_at",
    "updated_at",
    "created_by",
    "config_warning",
}


HOURS = {"name": "X", "requirement_type": "hours", "frequency": "annual", "required_hours": 1}


@pytest.fixture
def dept(department: Department) -> Department:
    return department


@pytest.fixture
def chief(dept: Department) -> str:
    return officer(dept)


def new_requirement(dept: Department, username: str, **body: Any) -> dict[str, Any]:
    fields = {
        "name": unique("Requirement"),
        "requirement_type": "hours",
        "frequency": "annual",
        "required_hours": 24,
        **body,
    }
    with dept.signed_in(username) as client:
        return created(client.post(REQUIREMENTS, json=fields))


class TestCreate:
    def test_a_requirement_is_answered_in_the_spec_shape_audited_and_announced(
        self, dept: Department, chief: str
    ) -> None:
        course = seed_course(dept)
        made = new_requirement(
            dept,
            chief,
            requirement_type="COURSES",  # enum inputs are lower-cased
            required_hours=None,
            required_courses=[course, course],
            checklist_items=["Bare step", {"text": "Officer step", "member_visible": False}],
            due_date_type="rolling",
            rolling_period_months=12,
        )
        assert set(made) == REQUIREMENT_FIELDS
        assert made["requirement_type"] == "courses"
        assert made["required_courses"] == [course]  # each id once
        assert made["checklist_items"] == [
            {"id": None, "text": "Bare step", "member_visible": True, "member_can_complete": False},
            {
                "id": None,
                "text": "Officer step",
                "member_visible": False,
                "member_can_complete": False,
            },
        ]
        assert made["source"] == "department"
        assert (made["period_start_month"], made["period_start_day"]) == (1, 1)
        assert made["config_warning"] is None
        assert made["active"] is True
        assert audit_types(dept, made["id"]) == ["training_requirement_created"]
        assert outbox_subjects(dept, made["id"]) == ["logbook.api.training.requirement_changed"]

    @pytest.mark.parametrize(
        ("kind", "target"),
        [
            ("hours", "required_hours"),
            ("courses", "required_courses"),
            ("shifts", "required_shifts"),
            ("calls", "required_calls"),
            ("knowledge_test", "passing_score"),
        ],
    )
    def test_a_missing_or_zero_target_is_422_naming_the_field(
        self, dept: Department, chief: str, kind: str, target: str
    ) -> None:
        empty: object = [] if target == "required_courses" else 0
        with dept.signed_in(chief) as client:
            for body in ({}, {target: empty}):
                answer = client.post(
                    REQUIREMENTS,
                    json={"name": "X", "requirement_type": kind, "frequency": "annual", **body},
                )
                assert answer.status_code == 422, answer.text
                assert [error["field"] for error in answer.json()["detail"]] == [target]

    def test_types_without_a_target_need_none(self, dept: Department, chief: str) -> None:
        for kind in ("certification", "skills_evaluation", "checklist"):
            made = new_requirement(dept, chief, requirement_type=kind, required_hours=None)
            assert made["config_warning"] is None

    def test_a_course_of_another_organization_is_400(self, dept: Department, chief: str) -> None:
        foreign = seed_course(dept, organization_id=dept.second_organization())
        with dept.signed_in(chief) as client:
            answer = client.post(
                REQUIREMENTS,
                json={
                    "name": "X",
                    "requirement_type": "courses",
                    "frequency": "one_time",
                    "required_courses": [foreign],
                },
            )
        assert answer.status_code == 400, answer.text
        assert answer.json()["code"] == "LB-API-400"

    @pytest.mark.parametrize(
        "body",
        [
            {"year": 2019},
            {"year": 2101},
            {"rolling_period_months": 0},
            {"rolling_period_months": 121},
            {"period_start_month": 13},
            {"period_end_day": 32},
            {"passing_score": 101},
            {"recency_days": 3651},
            {"max_attempts": 0},
            {"frequency": "weekly"},
            {"due_date_type": "someday"},
            {"checklist_items": [{"text": ""}]},
            {"checklist_items": [{"text": "x", "id": "i" * 65}]},
            {"name": ""},
            {"due_date": "1899-12-31"},
        ],
    )
    def test_bodies_breaking_the_constraints_are_422(
        self, dept: Department, chief: str, body: dict[str, Any]
    ) -> None:
        base = {
            "name": "X",
            "requirement_type": "hours",
            "frequency": "annual",
            "required_hours": 1,
        }
        with dept.signed_in(chief) as client:
            assert client.post(REQUIREMENTS, json={**base, **body}).status_code == 422


class TestList:
    def test_by_due_date_with_year_exact_and_inactive_hidden(
        self, dept: Department, chief: str
    ) -> None:
        late = seed_requirement(dept, name="Late", due_date=date(2026, 12, 1), year=2026)
        early = seed_requirement(dept, name="Early", due_date=date(2026, 3, 1), year=2026)
        undated = seed_requirement(dept, name="Undated")
        other_year = seed_requirement(dept, name="Other", year=2025, due_date=date(2025, 1, 1))
        off = seed_requirement(dept, name="Off", active=False, year=2026)
        seed_requirement(dept, organization_id=dept.second_organization(), year=2026)
        listed = [row["id"] for row in get_json(dept, chief, REQUIREMENTS)]
        assert listed == [other_year, early, late, undated]
        this_year = get_json(dept, chief, REQUIREMENTS, year=2026)
        assert [row["id"] for row in this_year] == [early, late]  # no undated ones (§8.7)
        everything = get_json(dept, chief, REQUIREMENTS, year=2026, active_only="false")
        assert off in [row["id"] for row in everything]

    def test_members_never_see_officer_only_checklist_steps(
        self, dept: Department, chief: str
    ) -> None:
        steps = [
            {"id": "a", "text": "Shown", "member_visible": True},
            {"id": "b", "text": "Officers only", "member_visible": False},
        ]
        seed_requirement(dept, requirement_type="checklist", checklist_items=steps)
        _, plain = dept.add_member("member")
        viewer_id, viewer = dept.add_member("member")
        dept.assign(viewer_id, dept.add_role(["training.view_all"]))
        seen = {
            who: [step["id"] for step in get_json(dept, who, REQUIREMENTS)[0]["checklist_items"]]
            for who in (plain, chief, viewer)
        }
        assert seen == {plain: ["a"], chief: ["a", "b"], viewer: ["a", "b"]}


class TestEdit:
    def test_an_edit_changes_the_fields_sent_rechecks_courses_not_targets(
        self, dept: Department, chief: str
    ) -> None:
        made = new_requirement(dept, chief, description="Old")
        foreign = seed_course(dept, organization_id=dept.second_organization())
        path = f"{REQUIREMENTS}/{made['id']}"
        with dept.signed_in(chief) as client:
            edited = client.patch(path, json={"description": None, "required_hours": 0})
            refused = client.patch(path, json={"required_courses": [foreign]})
            deactivated = client.patch(path, json={"active": False})
        assert edited.status_code == 200, edited.text
        assert edited.json()["description"] is None
        assert edited.json()["required_hours"] == 0
        assert "required_hours" in edited.json()["config_warning"]
        assert refused.status_code == 400, refused.text
        assert deactivated.json()["active"] is False
        assert audit_types(dept, made["id"]) == [
            "training_requirement_created",
            "training_requirement_updated",
            "training_requirement_updated",
        ]

    def test_delete_is_permanent_and_a_second_one_404(self, dept: Department, chief: str) -> None:
        made = new_requirement(dept, chief)
        path = f"{REQUIREMENTS}/{made['id']}"
        with dept.signed_in(chief) as client:
            first = client.delete(path)
            second = client.delete(path)
            listed = client.get(REQUIREMENTS, params={"active_only": "false"}).json()
        assert (first.status_code, second.status_code) == (204, 404)
        assert made["id"] not in [row["id"] for row in listed]
        assert audit_types(dept, made["id"])[-1] == "training_requirement_deleted"
        assert (
            outbox_subjects(dept, made["id"]).count("logbook.api.training.requirement_changed") == 2
        )


class TestAccess:
    def test_members_read_but_cannot_change_requirements(self, dept: Department) -> None:
        requirement = seed_requirement(dept)
        _, plain = dept.add_member("member")
        with dept.signed_in(plain) as client:
            answers = [
                client.get(REQUIREMENTS).status_code,
                client.post(REQUIREMENTS, json=HOURS).status_code,
                client.patch(f"{REQUIREMENTS}/{requirement}", json={"name": "Y"}).status_code,
                client.delete(f"{REQUIREMENTS}/{requirement}").status_code,
            ]
        assert answers == [200, 403, 403, 403]

    def test_another_organizations_requirements_are_unknown(
        self, dept: Department, chief: str
    ) -> None:
        foreign = seed_requirement(dept, organization_id=dept.second_organization())
        with dept.signed_in(chief) as client:
            listed = client.get(REQUIREMENTS).json()
            edited = client.patch(f"{REQUIREMENTS}/{foreign}", json={"name": "Mine"})
            deleted = client.delete(f"{REQUIREMENTS}/{foreign}")
        assert foreign not in [row["id"] for row in listed]
        assert (edited.status_code, deleted.status_code) == (404, 404)
        assert edited.json()["detail"] == "Training requirement not found"
