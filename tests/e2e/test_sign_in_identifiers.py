"""Sign-in identifiers across organizations (issue 10 F5): a username is never an e-mail address.

An administrator of one organization must not be able to take another organization's member's
e-mail address as a username and so capture (or block) that member's sign-in by e-mail.
"""

import subprocess
import uuid

import httpx
import pytest

from tests.api.members_support import USERS, db_id, member_body
from tests.e2e.department import PASSWORD, Department
from tests.e2e.stack import LOGBOOK, ROOT

pytestmark = pytest.mark.e2e
LOGIN = "/api/v1/auth/login"


def sign_in(department: Department, identifier: str) -> httpx.Response:
    with httpx.Client(base_url=department.gateway, timeout=20) as client:
        return client.post(LOGIN, json={"username": identifier, "password": PASSWORD})


def email_of(department: Department, user_id: str) -> str:
    (row,) = department.query("SELECT email FROM users WHERE id = %s", db_id(user_id))
    return str(row["email"])


def add_legacy_member(department: Department, username: str) -> str:
    """A member of the department written as an earlier release allowed: `@` inside."""
    user_id, _ = department.add_member("member")
    department.query(
        "UPDATE users SET username = %s, username_lower = %s WHERE id = %s",
        username,
        username.lower(),
        db_id(user_id),
    )
    return user_id


class TestUsernamesAreNotAddresses:
    @pytest.mark.parametrize("username", ["casey@station9.example.org", "casey@home", "@casey"])
    def test_a_username_with_an_at_sign_is_422_naming_the_field(
        self, department: Department, username: str
    ) -> None:
        with department.signed_in(department.admin_username) as client:
            response = client.post(USERS, json=member_body(username=username))
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["code"] == "LB-VAL-001"
        assert [error["field"] for error in body["detail"]] == ["username"]

    def test_another_organizations_address_cannot_become_a_username(
        self, department: Department
    ) -> None:
        other_org = department.second_organization()
        victim_id, _ = department.add_member("member", organization_id=other_org)
        address = email_of(department, victim_id)
        # The administrator of an organization older than the victim's.
        with department.signed_in(department.admin_username) as client:
            response = client.post(USERS, json=member_body(username=address.upper()))
        assert response.status_code == 422, response.text
        signed_in = sign_in(department, address)
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["user"]["id"] == victim_id

    def test_create_admin_refuses_a_username_with_an_at_sign(self, department: Department) -> None:
        address = f"a{uuid.uuid4().hex[:8]}@station9.example.org"
        command = ["create-admin", "--org-name", "Station 9", "--email", address]
        command += ["--first-name", "Dana", "--last-name", "Reyes"]
        done = subprocess.run(
            [str(LOGBOOK), *command, "--username", address],
            input=PASSWORD + "\n",
            text=True,
            capture_output=True,
            cwd=ROOT,
            timeout=60,
            check=False,
            env={"PATH": "/usr/bin:/bin", "DATABASE_URL": department.database_url},
        )
        assert done.returncode == 1
        assert "username" in done.stderr
        assert not department.query("SELECT id FROM users WHERE email_lower = %s", address)


class TestSignInByAddress:
    def test_an_address_never_matches_a_username_of_an_older_organization(
        self, department: Department
    ) -> None:
        other_org = department.second_organization()
        victim_id, _ = department.add_member("member", organization_id=other_org)
        address = email_of(department, victim_id)
        add_legacy_member(department, address)  # the older organization, preferred at sign-in
        response = sign_in(department, address)
        assert response.status_code == 200, response.text
        assert response.json()["user"]["id"] == victim_id

    def test_a_member_with_an_at_sign_in_the_username_signs_in_by_address(
        self, department: Department
    ) -> None:
        username = f"legacy{uuid.uuid4().hex[:8]}@old.example.org"
        user_id = add_legacy_member(department, username)
        response = sign_in(department, email_of(department, user_id))
        assert response.status_code == 200, response.text
        assert response.json()["user"]["id"] == user_id
        # The address-like username is no longer a sign-in name: it could shadow someone's address.
        refused = sign_in(department, username)
        assert (refused.status_code, refused.json()["code"]) == (401, "LB-AUTH-006")

    def test_usernames_and_addresses_still_sign_in_case_insensitively(
        self, department: Department
    ) -> None:
        user_id, username = department.add_member("member")
        for identifier in (username.upper(), f"  {email_of(department, user_id).upper()} "):
            response = sign_in(department, identifier)
            assert response.status_code == 200, (identifier, response.text)
            assert response.json()["user"]["id"] == user_id
