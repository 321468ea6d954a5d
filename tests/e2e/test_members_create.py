"""`POST /users` through the gateway: shape, password, duplicates, ceilings, numbers, sealing."""

import json
import threading

import httpx
import pytest

from tests.api.members_support import (
    CHOSEN_PASSWORD,
    USERS,
    audit_entries,
    create_member,
    events,
    member_body,
    role_id,
    unique,
)
from tests.e2e.department import Department

pytestmark = pytest.mark.e2e


class TestCreate:
    def test_the_creation_is_audited_and_published_without_a_password(
        self, department: Department
    ) -> None:
        body = member_body(password=CHOSEN_PASSWORD, send_welcome_email=False)
        response = create_member(department, body)
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
        assert create_member(department, body).status_code == 201
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
        response = create_member(department, body)
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
        response = create_member(department, body, as_user=secretary)
        assert (response.status_code, response.json()["code"]) == (403, "LB-PERM-001")
        assert "positions.delete" in response.json()["detail"]
        assert not department.query("SELECT id FROM users WHERE username = %s", body["username"])
        target = f"role:{role_id(department, 'fire_chief')}"
        blocked = audit_entries(department, "privilege_escalation_blocked", "target", target)
        assert blocked[-1]["severity"] == "critical"
        assert blocked[-1]["username"] == secretary
