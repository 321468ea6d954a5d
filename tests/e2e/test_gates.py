"""The §4 gates on every service: forced password change, required MFA, and the deadlock fix."""

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.stack import Stack, start_stack
from tests.e2e.test_auth_flow import PASSWORD, create_admin, csrf_headers
from tests.e2e.test_sessions_everywhere import signed_in

pytestmark = pytest.mark.e2e
MODULES = "/api/v1/organization/modules"


@pytest.fixture
def mfa_required_stack(tmp_path: Path) -> Iterator[Stack]:
    """A platform whose organization requires MFA, with two members who have not enrolled."""
    running = start_stack(tmp_path, RATE_LIMIT_MULTIPLIER="100")
    database = tmp_path / "var" / "logbook.db"
    try:
        for name in ("plain", "forced"):
            created = create_admin(database, name, f"{name}@x.example.org")
            assert created.returncode == 0, created.stderr
        with sqlite3.connect(database) as db:
            db.execute(
                "UPDATE organizations SET settings = ?",
                (json.dumps({"security": {"mfa_required": True}}),),
            )
            db.execute("UPDATE users SET must_change_password = 1 WHERE username = 'forced'")
        yield running
    finally:
        running.stop()


def test_an_unenrolled_member_is_sent_to_mfa_setup_everywhere(mfa_required_stack: Stack) -> None:
    with signed_in(mfa_required_stack, "plain") as client:
        me = client.get("/api/v1/auth/me")
        assert me.status_code == 200
        assert me.json()["mfa_enrollment_required"] is True
        for response in (client.get(MODULES), client.get("/api/v1/auth/mfa/policy")):
            assert (response.status_code, response.json()["code"]) == (403, "LB-AUTH-005")
            assert response.headers["x-mfa-enrollment-required"] == "true"
        assert (
            client.post("/api/v1/auth/mfa/setup", headers=csrf_headers(client)).status_code == 200
        )


def test_a_forced_change_comes_first_and_is_not_deadlocked(mfa_required_stack: Stack) -> None:
    with signed_in(mfa_required_stack, "forced") as client:
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
