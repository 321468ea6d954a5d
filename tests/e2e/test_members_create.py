"""`POST /users` through the gateway: shape, password, duplicates, ceilings, numbers, sealing."""

import json
import threading
from typing import Any

import httpx
import pytest

from tests.e2e.department import Department
from tests.e2e.test_members_support import (
    CHOSEN_PASSWORD,
    USERS,
    audit_entries,
    db_id,
    events,
    member_body,
    role_id,
    unique,
    user_row,
)

pytestmark = pytest.mark.e2e
WITH_ROLES_FIELDS = {
    "id", "organization_id", "username", "email", "first_name", "middle_name", "last_name",
    "full_name", "membership_number", "phone", "mobile", "photo_url", "status",
    "membership_type", "compliance_exempt", "hire_date", "rank", "station", "platoon",
    "personal_email", "date_of_birth", "address_street", "address_city", "address_state",
    "address_zip", "address_country", "emergency_contacts", "email_verified", "mfa_enabled",
    "last_login_at", "created_at", "updated_at", "roles", "temporary_password",
}  # fmt: skip
ROLE_FIELDS = {
    "id", "organization_id", "name", "slug", "description", "permissions", "is_system",
    "priority", "created_at", "updated_at",
}  # fmt: skip


def create(
    department: Department, body: dict[str, Any], as_user: str | None = None
) -> httpx.Response:
    """`POST /users` as `as_user`, by default the department's administrator."""
    with department.signed_in(as_user or department.admin_username) as client:
        return client.post(USERS, json=body)


class TestCreate:
    def test_a_new_member_has_every_field_the_member_role_and_must_change_password(
        self, department: Department
    ) -> None:
        body = member_body(role_ids=[role_id(department, "secretary")], platoon="B")
        response = create(department, body)
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

    def test_the_creation_is_audited_and_published_without_a_password(
        self, department: Department
    ) -> None:
        body = member_body(password=CHOSEN_PASSWORD, send_welcome_email=False)
        response = create(department, body)
        assert response.status_code == 201, response.text
        user_id = response.json()["id"]
        (envelope,) = events(department, "logbook.api.member.created", user_id)
        data = envelope["data"]
        assert data["username"] == body["username"]
        assert data["must_change_password"] is True
        assert data["send_welcome_email"] is False
        assert data["role_ids"] == [role_id(department, "member")]
        assert CHOSEN_PASSWORD not in json.dumps(envelope)
        assert CHOSEN_PASSWORD not in response.text
        (entry,) = audit_entries(department, "user_created", "new_user_id", user_id)
        assert entry["event_data"]["roles_assigned"] == ["member"]
        assert entry["request_id"] == response.headers["x-request-id"]


class TestChosenPassword:
    def test_the_member_signs_in_with_it_and_must_change_it_first(
        self, department: Department
    ) -> None:
        body = member_body(password=CHOSEN_PASSWORD)
        assert create(department, body).status_code == 201
        with httpx.Client(base_url=department.gateway, timeout=20) as client:
            login = client.post(
                "/api/v1/auth/login",
                json={"username": body["username"], "password": CHOSEN_PASSWORD},
            )
            assert login.status_code == 200, login.text
            refused = client.get(USERS)
        assert (refused.status_code, refused.json()["code"]) == (403, "LB-AUTH-004")

    def test_a_weak_password_is_refused_by_auth_and_nothing_is_created(
        self, department: Department
    ) -> None:
        body = member_body(password="aaaaaaaaaaaa")
        response = create(department, body)
        assert response.status_code == 400
        assert "Password" in response.json()["detail"]
        assert not department.query("SELECT id FROM users WHERE username = %s", body["username"])

    def test_the_internal_route_is_not_on_the_gateway_and_refuses_unsigned_calls(
        self, department: Department
    ) -> None:
        through_gateway = httpx.post(
            f"{department.gateway}/internal/members/password-hash", json={"password": "x"}
        )
        assert through_gateway.status_code == 404
        auth = f"http://127.0.0.1:{department.stack.ports['auth']}"
        unsigned = httpx.post(f"{auth}/internal/members/password-hash", json={"password": "x"})
        assert unsigned.status_code == 401


class TestDuplicates:
    def test_username_email_and_number_clash_case_insensitively_naming_the_field(
        self, department: Department
    ) -> None:
        number = unique("N-")
        first = member_body(membership_number=number)
        assert create(department, first).status_code == 201
        clashes = {
            "username": member_body(username=first["username"].upper()),
            "email": member_body(email=first["email"].upper()),
            "membership number": member_body(membership_number=number.lower()),
        }
        for field, body in clashes.items():
            response = create(department, body)
            assert response.status_code == 409, field
            assert field in response.json()["detail"]
        assert (
            create(department, clashes["membership number"]).json()["detail"]
            == "A member with this membership number already exists"
        )

    def test_a_soft_deleted_member_keeps_username_and_email_but_frees_the_number(
        self, department: Department
    ) -> None:
        number = unique("D-")
        first = member_body(membership_number=number)
        user_id = create(department, first).json()["id"]
        with department.signed_in(department.admin_username) as client:
            assert client.delete(f"{USERS}/{user_id}").status_code == 204
        assert create(department, member_body(username=first["username"])).status_code == 409
        assert create(department, member_body(email=first["email"])).status_code == 409
        assert create(department, member_body(membership_number=number)).status_code == 201

    def test_an_archived_members_email_points_at_reactivation(self, department: Department) -> None:
        first = member_body()
        user_id = create(department, first).json()["id"]
        department.query(
            "UPDATE users SET status = 'archived', archived_at = UTC_TIMESTAMP(6) WHERE id = %s",
            db_id(user_id),
        )
        response = create(department, member_body(email=first["email"]))
        assert response.status_code == 409
        detail = response.json()["detail"]
        assert set(detail) == {
            "message", "existing_user_id", "existing_member_name", "existing_status",
            "reactivate_url",
        }  # fmt: skip
        assert detail["existing_user_id"] == user_id
        assert detail["existing_status"] == "archived"
        assert detail["reactivate_url"] == f"{USERS}/{user_id}/reactivate"

    def test_two_concurrent_creates_with_one_email_give_one_201_and_one_409(
        self, department: Department
    ) -> None:
        email = f"{unique('race')}@station9.example.org"
        statuses: list[int] = []
        with (
            department.signed_in(department.admin_username) as one,
            department.signed_in(department.admin_username) as two,
        ):
            barrier = threading.Barrier(2)

            def attempt(client: httpx.Client) -> None:
                barrier.wait()
                statuses.append(client.post(USERS, json=member_body(email=email)).status_code)

            threads = [threading.Thread(target=attempt, args=(c,)) for c in (one, two)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert sorted(statuses) == [201, 409]
        assert len(department.query("SELECT id FROM users WHERE email_lower = %s", email)) == 1


class TestCeilings:
    def test_a_role_above_the_caller_is_refused_and_recorded(self, department: Department) -> None:
        _, secretary = department.add_member("secretary")
        body = member_body(role_ids=[role_id(department, "fire_chief")])
        response = create(department, body, as_user=secretary)
        assert (response.status_code, response.json()["code"]) == (403, "LB-PERM-001")
        assert "positions.delete" in response.json()["detail"]
        assert not department.query("SELECT id FROM users WHERE username = %s", body["username"])
        target = f"role:{role_id(department, 'fire_chief')}"
        blocked = audit_entries(department, "privilege_escalation_blocked", "target", target)
        assert blocked[-1]["severity"] == "critical"
        assert blocked[-1]["username"] == secretary

    def test_only_an_owner_hands_out_it_manager(self, department: Department) -> None:
        _, fire_chief = department.add_member("fire_chief")
        body = member_body(role_ids=[role_id(department, "it_manager")])
        assert create(department, body, as_user=fire_chief).status_code == 403
        assert create(department, body).status_code == 201  # chief holds `*`

    def test_a_rank_above_the_caller_is_refused(self, department: Department) -> None:
        _, secretary = department.add_member("secretary")
        response = create(department, member_body(rank="fire_chief"), as_user=secretary)
        assert response.status_code == 403
        assert create(department, member_body(rank="emt"), as_user=secretary).status_code == 201

    def test_unknown_and_foreign_role_ids_are_a_400(self, department: Department) -> None:
        other = department.second_organization()
        for wanted in (
            "6a1f1f2e-3c1b-4f5e-9a0b-0c1d2e3f4a5b",
            role_id(department, "member", other),
        ):
            response = create(department, member_body(role_ids=[wanted]))
            assert response.status_code == 400
            assert wanted in response.json()["detail"]

    def test_without_users_create_the_route_answers_403(self, department: Department) -> None:
        _, captain = department.add_member("captain")
        response = create(department, member_body(), as_user=captain)
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
            taken = create(department, member_body(membership_number=f"{prefix}0007"))
            assert taken.status_code == 201
            generated = create(department, member_body())
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
            response = create(department, body)
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
        response = create(department, body)
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
