"""The §4 gates on every service: forced password change, required MFA, and the deadlock fix."""

import json
import uuid

import pytest

from tests.e2e.department import PASSWORD, Department, Platform
from tests.e2e.test_auth_flow import csrf_headers

pytestmark = pytest.mark.e2e
MODULES = "/api/v1/organization/modules"


@pytest.fixture
def mfa_required(shared_platform: Platform) -> tuple[Department, str, str]:
    """An organization on the worker's shared platform that requires MFA, and two of its
    administrators who have not enrolled: (department, plain one, one who must change the
    password)."""
    department = shared_platform.new_department()
    department.query(
        "UPDATE organizations SET settings = %s WHERE id = %s",
        json.dumps({"security": {"mfa_required": True}}),
        uuid.UUID(department.organization_id).hex,
    )
    # The roles `create-admin` gives an administrator.
    _, plain = department.add_member("it_manager", "member")
    forced_id, forced = department.add_member("it_manager", "member")
    department.query(
        "UPDATE users SET must_change_password = 1 WHERE id = %s", uuid.UUID(forced_id).hex
    )
    return department, plain, forced


def test_an_unenrolled_member_is_sent_to_mfa_setup_everywhere(
    mfa_required: tuple[Department, str, str],
) -> None:
    department, plain, _ = mfa_required
    with department.signed_in(plain) as client:
        me = client.get("/api/v1/auth/me")
        assert me.status_code == 200
        assert me.json()["mfa_enrollment_required"] is True
        for response in (client.get(MODULES), client.get("/api/v1/auth/mfa/policy")):
            assert (response.status_code, response.json()["code"]) == (403, "LB-AUTH-005")
            assert response.headers["x-mfa-enrollment-required"] == "true"
        assert (
            client.post("/api/v1/auth/mfa/setup", headers=csrf_headers(client)).status_code == 200
        )


def test_a_forced_change_comes_first_and_is_not_deadlocked(
    mfa_required: tuple[Department, str, str],
) -> None:
    department, _, forced = mfa_required
    with department.signed_in(forced) as client:
        setup = client.post("/api/v1/auth/mfa/setup", headers=csrf_headers(client))
        # The password gate is checked first...
        assert (setup.status_code, setup.json()["code"]) == (403, "LB-AUTH-004")
        # ...and the password change stays reachable although MFA is required (§4 fix).
        changed = client.post(
            "/api/v1/auth/change-password",
            headers=csrf_headers(client),
            json={"current_password": PASSWORD, "new_password": "Pump-Panel-Ready#55"},
        )
        assert changed.status_code == 200
