"""The course library in-process (spec training.md §3 #1 to #9, §4.1): categories and courses,
their orders and soft deletes, the organization's references [fix], audit entries [fix] and
events, permissions and tenancy."""

from typing import Any

import pytest

from tests.api.department import Department
from tests.api.training_support import (
    CATEGORIES,
    COURSES,
    audit_entries,
    audit_types,
    created,
    officer,
    outbox_events,
    seed_category,
    seed_course,
    unique,
)

CATEGORY_FIELDS = {
    "id",
    "organization_id",
    "name",
    "code",
    "description",
    "color",
    "parent_category_id",
    "sort_order",
    "icon",
    "active",
    "created_at",
    "updated_at",
    "created_by",
}
COURSE_FIELDS = {
    "id",
    "organization_id",
    "name",
    "code",
    "description",
    "training_type",
    "duration_hours",
    "credit_hours",
    "prerequisites",
    "expiration_months",
    "instructor",
    "max_participants",
    "materials_required",
    "category_ids",
    "active",
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


def new_category(dept: Department, username: str, **body: Any) -> dict[str, Any]:
    with dept.signed_in(username) as client:
        return created(client.post(CATEGORIES, json={"name": unique("Category"), **body}))


def new_course(dept: Department, username: str, **body: Any) -> dict[str, Any]:
    with dept.signed_in(username) as client:
        return created(
            client.post(
                COURSES,
                json={"name": unique("Course"), "training_type": "certification", **body},
            )
        )


class TestCategories:
    def test_a_category_is_answered_in_the_spec_shape_audited_and_announced(
        self, dept: Department, chief: str
    ) -> None:
        parent = seed_category(dept)
        category = new_category(
            dept,
            chief,
            code="FF",
            description="Fire suppression",
            color="#AA00ff",
            parent_category_id=parent,
            sort_order=3,
            icon="flame",
        )
        with dept.signed_in(chief) as client:
            read = client.get(f"{CATEGORIES}/{category['id']}")
        assert set(category) == CATEGORY_FIELDS
        assert read.json() == category
        assert category["parent_category_id"] == parent
        assert category["active"] is True
        assert category["organization_id"] == dept.organization_id
        assert category["created_at"].endswith("Z")
        assert audit_types(dept, category["id"]) == ["training_category_created"]
        assert outbox_events(dept, category["id"]) == [
            (
                "logbook.api.training.category_changed",
                {"category_id": category["id"], "verb": "created"},
            )
        ]

    def test_the_list_is_by_sort_order_then_name_and_hides_inactive_ones(
        self, dept: Department
    ) -> None:
        tag = unique("c")
        second = seed_category(dept, name=f"A {tag}", sort_order=2)
        first_b = seed_category(dept, name=f"B {tag}", sort_order=1)
        first_a = seed_category(dept, name=f"A {tag}", sort_order=1)
        hidden = seed_category(dept, name=f"C {tag}", sort_order=0, active=False)
        _, member = dept.add_member("member")
        with dept.signed_in(member) as client:
            active = [c["id"] for c in client.get(CATEGORIES).json()]
            every = [
                c["id"] for c in client.get(CATEGORIES, params={"active_only": "false"}).json()
            ]
        assert active == [first_a, first_b, second]
        assert every == [hidden, first_a, first_b, second]

    def test_an_edit_changes_the_fields_sent_and_is_audited(
        self, dept: Department, chief: str
    ) -> None:
        category = new_category(dept, chief, code="OLD", color="#000000")
        with dept.signed_in(chief) as client:
            edited = client.patch(
                f"{CATEGORIES}/{category['id']}", json={"code": None, "sort_order": 9}
            )
        assert edited.status_code == 200, edited.text
        assert edited.json()["code"] is None
        assert edited.json()["sort_order"] == 9
        assert edited.json()["color"] == "#000000"
        entries = audit_entries(dept, category["id"])
        assert [name for name, _ in entries] == [
            "training_category_created",
            "training_category_updated",
        ]
        assert entries[1][1]["fields_changed"] == ["code", "sort_order"]
        assert [data["verb"] for _, data in outbox_events(dept, category["id"])] == [
            "created",
            "updated",
        ]

    def test_delete_deactivates_once_and_again_changes_nothing(
        self, dept: Department, chief: str
    ) -> None:
        category = new_category(dept, chief)
        with dept.signed_in(chief) as client:
            first = client.delete(f"{CATEGORIES}/{category['id']}")
            again = client.delete(f"{CATEGORIES}/{category['id']}")
            read = client.get(f"{CATEGORIES}/{category['id']}")
            listed = [c["id"] for c in client.get(CATEGORIES).json()]
            revived = client.patch(f"{CATEGORIES}/{category['id']}", json={"active": True})
        assert (first.status_code, again.status_code) == (204, 204)
        assert read.json()["active"] is False
        assert category["id"] not in listed
        assert revived.json()["active"] is True
        assert audit_types(dept, category["id"]).count("training_category_deleted") == 1

    @pytest.mark.parametrize("where", ["foreign", "itself", "below"])
    def test_a_parent_outside_the_organization_or_the_tree_is_400(
        self, dept: Department, chief: str, where: str
    ) -> None:
        category = new_category(dept, chief)
        child = seed_category(dept, parent_category_id=category["id"])
        parent = {
            "foreign": seed_category(dept, dept.second_organization()),
            "itself": category["id"],
            "below": child,
        }[where]
        with dept.signed_in(chief) as client:
            edited = client.patch(
                f"{CATEGORIES}/{category['id']}", json={"parent_category_id": parent}
            )
            made = client.post(CATEGORIES, json={"name": "X", "parent_category_id": parent})
        assert edited.status_code == 400, edited.text
        assert edited.json()["code"] == "LB-API-400"
        assert made.status_code == (400 if where == "foreign" else 201)

    @pytest.mark.parametrize(
        "body",
        [
            {"name": ""},
            {"name": "   "},
            {"name": "x" * 256},
            {"name": "Ok", "color": "red"},
            {"name": "Ok", "code": "x" * 51},
            {"name": "Ok", "parent_category_id": "not-a-uuid"},
        ],
    )
    def test_bodies_breaking_the_constraints_are_422(
        self, dept: Department, chief: str, body: dict[str, Any]
    ) -> None:
        with dept.signed_in(chief) as client:
            assert client.post(CATEGORIES, json=body).status_code == 422


class TestCourses:
    def test_a_course_is_answered_in_the_spec_shape_audited_and_announced(
        self, dept: Department, chief: str
    ) -> None:
        category = seed_category(dept)
        before = seed_course(dept)
        course = new_course(
            dept,
            chief,
            training_type="CERTIFICATION",
            code="EMT-B",
            duration_hours=120,
            credit_hours=110.5,
            prerequisites=[before, before],
            expiration_months=24,
            instructor="R. Diaz",
            max_participants=20,
            materials_required=["Stethoscope"],
            category_ids=[category],
        )
        with dept.signed_in(chief) as client:
            read = client.get(f"{COURSES}/{course['id']}")
        assert set(course) == COURSE_FIELDS
        assert read.json() == course
        assert course["training_type"] == "certification"
        assert course["prerequisites"] == [before]
        assert course["category_ids"] == [category]
        assert course["credit_hours"] == 110.5
        assert audit_types(dept, course["id"]) == ["training_course_created"]
        assert outbox_events(dept, course["id"]) == [
            ("logbook.api.training.course_changed", {"course_id": course["id"], "verb": "created"})
        ]

    def test_the_list_is_by_name_and_deactivated_courses_drop_out(
        self, dept: Department, chief: str
    ) -> None:
        tag = unique("k")
        second = seed_course(dept, name=f"B {tag}")
        first = seed_course(dept, name=f"A {tag}")
        with dept.signed_in(chief) as client:
            off = client.patch(f"{COURSES}/{second}", json={"active": False})
            active = [c["id"] for c in client.get(COURSES).json() if tag in c["name"]]
            every = [
                c["id"]
                for c in client.get(COURSES, params={"active_only": "false"}).json()
                if tag in c["name"]
            ]
            removed = client.delete(f"{COURSES}/{first}")
        assert off.status_code == 200
        assert off.json()["active"] is False
        assert active == [first]
        assert every == [first, second]
        assert removed.status_code == 405  # courses have no DELETE
        assert audit_types(dept, second) == ["training_course_updated"]

    @pytest.mark.parametrize("field", ["prerequisites", "category_ids"])
    def test_ids_of_another_organization_are_400(
        self, dept: Department, chief: str, field: str
    ) -> None:
        other = dept.second_organization()
        foreign = (seed_course if field == "prerequisites" else seed_category)(dept, other)
        course = new_course(dept, chief)
        with dept.signed_in(chief) as client:
            made = client.post(
                COURSES, json={"name": "X", "training_type": "refresher", field: [foreign]}
            )
            edited = client.patch(f"{COURSES}/{course['id']}", json={field: [foreign]})
        assert made.status_code == 400, made.text
        assert edited.status_code == 400, edited.text

    def test_a_course_cannot_be_its_own_prerequisite(self, dept: Department, chief: str) -> None:
        course = new_course(dept, chief)
        with dept.signed_in(chief) as client:
            edited = client.patch(
                f"{COURSES}/{course['id']}", json={"prerequisites": [course["id"]]}
            )
        assert edited.status_code == 400

    @pytest.mark.parametrize(
        "body",
        [
            {"name": "X"},
            {"name": "X", "training_type": "juggling"},
            {"name": "X", "training_type": "refresher", "duration_hours": -1},
            {"name": "X", "training_type": "refresher", "expiration_months": -1},
            {"name": "X", "training_type": "refresher", "max_participants": 0},
        ],
    )
    def test_bodies_breaking_the_constraints_are_422(
        self, dept: Department, chief: str, body: dict[str, Any]
    ) -> None:
        with dept.signed_in(chief) as client:
            assert client.post(COURSES, json=body).status_code == 422


class TestPermissionsAndTenancy:
    def test_members_read_the_library_but_cannot_change_it(self, dept: Department) -> None:
        category = seed_category(dept)
        course = seed_course(dept)
        _, member = dept.add_member("member")
        with dept.signed_in(member) as client:
            reads = [
                client.get(CATEGORIES),
                client.get(f"{CATEGORIES}/{category}"),
                client.get(COURSES),
                client.get(f"{COURSES}/{course}"),
            ]
            writes = [
                client.post(CATEGORIES, json={"name": "X"}),
                client.patch(f"{CATEGORIES}/{category}", json={"name": "Y"}),
                client.delete(f"{CATEGORIES}/{category}"),
                client.post(COURSES, json={"name": "X", "training_type": "refresher"}),
                client.patch(f"{COURSES}/{course}", json={"name": "Y"}),
            ]
        assert [r.status_code for r in reads] == [200] * 4
        assert [r.status_code for r in writes] == [403] * 5
        assert audit_types(dept, category) == []

    def test_another_organizations_rows_are_unknown(self, dept: Department, chief: str) -> None:
        other = dept.second_organization()
        category = seed_category(dept, other)
        course = seed_course(dept, other)
        with dept.signed_in(chief) as client:
            answers = [
                client.get(f"{CATEGORIES}/{category}"),
                client.patch(f"{CATEGORIES}/{category}", json={"name": "Y"}),
                client.delete(f"{CATEGORIES}/{category}"),
                client.get(f"{COURSES}/{course}"),
                client.patch(f"{COURSES}/{course}", json={"name": "Y"}),
            ]
            listed = client.get(CATEGORIES).json() + client.get(COURSES).json()
        assert [r.status_code for r in answers] == [404] * 5
        assert {row["id"] for row in listed}.isdisjoint({category, course})

    def test_unknown_ids_are_404_and_malformed_ones_422(self, dept: Department, chief: str) -> None:
        with dept.signed_in(chief) as client:
            unknown = client.get(f"{CATEGORIES}/00000000-0000-4000-8000-000000000000")
            malformed = client.get(f"{COURSES}/nope")
        assert unknown.status_code == 404
        assert unknown.json()["detail"] == "Training category not found"
        assert malformed.status_code == 422
