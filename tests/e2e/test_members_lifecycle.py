"""The member lifecycle through the gateway: transitions, lock-out, archive, tiers, deletion."""

import time
import uuid

import httpx
import pytest

from tests.api.members_support import (
    USERS,
    admin_of,
    db_id,
    user_row,
)
from tests.e2e.department import PASSWORD, Department

pytestmark = pytest.mark.e2e


class TestLockOut:
    def test_a_deactivated_members_session_is_refused_everywhere_within_a_second(
        self, department: Department
    ) -> None:
        user_id, username = department.add_member("member")
        with department.signed_in(username) as member:
            assert member.get(f"{USERS}/contact-info-enabled").status_code == 200
            assert member.get("/api/v1/auth/me").status_code == 200
            with department.signed_in(department.admin_username) as admin:
                changed = admin.patch(f"{USERS}/{user_id}/status", json={"new_status": "leave"})
            assert changed.status_code == 200
            started = time.monotonic()
            pending = {f"{USERS}/contact-info-enabled", "/api/v1/auth/me"}
            while pending:
                for path in list(pending):
                    if member.get(path).status_code == 401:
                        pending.discard(path)
                assert time.monotonic() - started < 1.0, f"still accepted: {pending}"
                time.sleep(0.02)
        with httpx.Client(base_url=department.gateway) as client:
            login = client.post(
                "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
            )
        assert login.status_code in (401, 403)


class TestLastAdministrator:
    def test_the_only_administrator_cannot_leave_or_drop_their_rights(
        self, department: Department
    ) -> None:
        other = department.second_organization()
        admin = admin_of(department, other)
        (admin_row,) = department.query("SELECT id FROM users WHERE username = %s", admin)
        admin_id = str(uuid.UUID(str(admin_row["id"])))
        member_role = department.query(
            "SELECT id FROM positions WHERE organization_id = %s AND slug = 'member'",
            db_id(other),
        )[0]["id"]
        with department.signed_in(admin) as client:
            status = client.patch(f"{USERS}/{admin_id}/status", json={"new_status": "inactive"})
            roles = client.put(f"{USERS}/{admin_id}/roles", json={"role_ids": [str(member_role)]})
            _, captain = department.add_member(rank="fire_chief", organization_id=other)
            allowed = client.put(f"{USERS}/{admin_id}/roles", json={"role_ids": [str(member_role)]})
        for refused in (status, roles):
            assert refused.status_code == 400
            assert "members.manage" in refused.json()["detail"]
        assert allowed.status_code == 200  # the fire chief by rank still manages members
        (captain_row,) = department.query("SELECT id FROM users WHERE username = %s", captain)
        captain_id = str(uuid.UUID(str(captain_row["id"])))
        with department.signed_in(captain) as client:
            downgrade = client.patch(f"{USERS}/{captain_id}/profile", json={"rank": "emt"})
        assert downgrade.status_code == 400
        assert user_row(department, captain_id)["rank"] == "fire_chief"
