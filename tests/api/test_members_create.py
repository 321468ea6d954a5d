"""`POST /users` in-process: shape, password, duplicates, ceilings, numbers, sealing."""

import json

from tests.api.department import Department
from tests.api.members_support import (
    USERS,
    WITH_ROLES_FIELDS,
    create_member,
    db_id,
    member_body,
    role_id,
    unique,
    user_row,
)
from tests.api.roles_support import ROLE_FIELDS


class TestCreate:
    def test_a_new_member_has_every_field_the_member_role_and_must_change_password(
        self, department: Department
    ) -> None:
        body = member_body(role_ids=[role_id(department, "secretary")], platoon="B")
        response = create_member(department, body)
        assert response.status_code == 201, response.text
        member = response.json()
        assert set(member) == WITH_ROLES_FIELDS
        assert member["username"] == body["username"]
        assert member["full_name"] == f"Casey {body['last_name']}"
        assert (member["status"], member["membership_type"]) == ("active", "active")
        assert (member["platoon"], member["compliance_exempt"]) == ("B", False)
        assert member["temporary_password"] is None
        assert member["emergency_contacts"] == []
        assert member["address_country"] == "USA"
        assert member["created_at"].endswith("Z")
        assert {r["slug"] for r in member["roles"]} == {"secretary", "member"}
        assert all(set(role) == ROLE_FIELDS for role in member["roles"])
        row = user_row(department, member["id"])
        assert row["must_change_password"] == 1
        assert row["password_hash"] is None  # no password chosen: auth mails a temporary one
        assert row["organization_id"] == db_id(department.organization_id)


class TestDuplicates:
    def test_username_email_and_number_clash_case_insensitively_naming_the_field(
        self, department: Department
    ) -> None:
        number = unique("N-")
        first = member_body(membership_number=number)
        assert create_member(department, first).status_code == 201
        clashes = {
            "username": member_body(username=first["username"].upper()),
            "email": member_body(email=first["email"].upper()),
            "membership number": member_body(membership_number=number.lower()),
        }
        for field, body in clashes.items():
            response = create_member(department, body)
            assert response.status_code == 409, field
            assert field in response.json()["detail"]
        assert (
            create_member(department, clashes["membership number"]).json()["detail"]
            == "A member with this membership number already exists"
        )

    def test_a_soft_deleted_member_keeps_username_and_email_but_frees_the_number(
        self, department: Department
    ) -> None:
        number = unique("D-")
        first = member_body(membership_number=number)
        user_id = create_member(department, first).json()["id"]
        with department.signed_in(department.admin_username) as client:
            assert client.delete(f"{USERS}/{user_id}").status_code == 204
        assert create_member(department, member_body(username=first["username"])).status_code == 409
        assert create_member(department, member_body(email=first["email"])).status_code == 409
        assert create_member(department, member_body(membership_number=number)).status_code == 201

    def test_an_archived_members_email_points_at_reactivation(self, department: Department) -> None:
        first = member_body()
        user_id = create_member(department, first).json()["id"]
        department.query(
            "UPDATE users SET status = 'archived', archived_at = UTC_TIMESTAMP(6) WHERE id = %s",
            db_id(user_id),
        )
        response = create_member(department, member_body(email=first["email"]))
        assert response.status_code == 409
        detail = response.json()["detail"]
        assert set(detail) == {
            "message", "existing_user_id", "existing_member_name", "existing_status",
            "reactivate_url",
        }  # fmt: skip
        assert detail["existing_user_id"] == user_id
        assert detail["existing_status"] == "archived"
        assert detail["reactivate_url"] == f"{USERS}/{user_id}/reactivate"


class TestCeilings:
    def test_only_an_owner_hands_out_it_manager(self, department: Department) -> None:
        _, fire_chief = department.add_member("fire_chief")
        body = member_body(role_ids=[role_id(department, "it_manager")])
        assert create_member(department, body, as_user=fire_chief).status_code == 403
        assert create_member(department, body).status_code == 201  # chief holds `*`

    def test_a_rank_above_the_caller_is_refused(self, department: Department) -> None:
        _, secretary = department.add_member("secretary")
        response = create_member(department, member_body(rank="fire_chief"), as_user=secretary)
        assert response.status_code == 403
        assert (
            create_member(department, member_body(rank="emt"), as_user=secretary).status_code == 201
        )

    def test_unknown_and_foreign_role_ids_are_a_400(self, department: Department) -> None:
        other = department.second_organization()
        for wanted in (
            "6a1f1f2e-3c1b-4f5e-9a0b-0c1d2e3f4a5b",
            role_id(department, "member", other),
        ):
            response = create_member(department, member_body(role_ids=[wanted]))
            assert response.status_code == 400
            assert wanted in response.json()["detail"]

    def test_without_users_create_the_route_answers_403(self, department: Department) -> None:
        _, captain = department.add_member("captain")
        response = create_member(department, member_body(), as_user=captain)
        assert (response.status_code, response.json()["detail"]) == (
            403,
            "Insufficient permissions",
        )


class TestMembershipNumbers:
    def test_numbers_are_generated_skipping_those_in_use(self, department: Department) -> None:
        prefix = unique("P")[:6] + "-"
        settings = {
            "membership_id": {
                "enabled": True, "auto_generate": True, "prefix": prefix, "next_number": 7,
            }
        }  # fmt: skip
        department.query(
            "UPDATE organizations SET settings = %s WHERE id = %s",
            json.dumps(settings),
            db_id(department.organization_id),
        )
        try:
            taken = create_member(department, member_body(membership_number=f"{prefix}0007"))
            assert taken.status_code == 201
            generated = create_member(department, member_body())
            assert generated.json()["membership_number"] == f"{prefix}0008"
            stored = department.query(
                "SELECT settings FROM organizations WHERE id = %s",
                db_id(department.organization_id),
            )
            assert json.loads(stored[0]["settings"])["membership_id"]["next_number"] == 9
        finally:
            department.query(
                "UPDATE organizations SET settings = '{}' WHERE id = %s",
                db_id(department.organization_id),
            )


class TestValidationAndSealing:
    def test_bad_bodies_are_422_with_field_errors(self, department: Department) -> None:
        for body in (
            member_body(email="not-an-address"),
            member_body(username="ab"),
            member_body(password="Short#1"),
            {"username": unique()},
        ):
            response = create_member(department, body)
            assert response.status_code == 422, body
            assert response.json()["code"] == "LB-VAL-001"

    def test_personal_data_is_stored_sealed(self, department: Department) -> None:
        body = member_body(
            phone="555-0101",
            mobile="555-0102",
            date_of_birth="1984-03-09",
            address_street="12 Hydrant Lane",
            address_city="Millbrook",
            emergency_contacts=[
                {"name": "Jordan Rivera", "relationship": "Spouse", "phone": "555-0199"}
            ],
        )
        response = create_member(department, body)
        assert response.status_code == 201
        member = response.json()
        assert member["date_of_birth"] == "1984-03-09"
        assert member["emergency_contacts"][0]["name"] == "Jordan Rivera"
        row = user_row(department, member["id"])
        sealed = ("phone", "mobile", "date_of_birth", "address_street", "address_city")
        for column in (*sealed, "emergency_contacts", "address_country"):
            assert row[column].startswith("$gcm2$"), column
        raw = json.dumps({k: str(v) for k, v in row.items()})
        for plain in ("555-0101", "555-0102", "1984-03-09", "Hydrant", "Millbrook", "Jordan"):
            assert plain not in raw
