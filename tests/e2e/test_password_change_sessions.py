"""A password change keeps its device signed in and raises no alarm (issue 11, fix 3).

After `POST /auth/change-password` the frontend's next refresh carried the refresh cookie of the
session the change had ended, which was taken for a stolen token: a CRITICAL
`refresh_token_reuse_detected` entry for something nobody did wrong. Through the gateway, so the
auth events reach the api's audit consumer.
"""

import time
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.department import PASSWORD, Department

pytestmark = pytest.mark.e2e
AUTH = "/api/v1/auth"
NEW_PASSWORD = "Ladder-Truck-Seven#88"
REUSE = "refresh_token_reuse_detected"


@pytest.fixture(scope="module")
def dept(department: Department) -> Department:
    """The module's organization on the worker's shared platform (tests/e2e/conftest.py)."""
    return department


def entries(dept: Department, user_id: str, event_type: str | None = None) -> list[dict[str, Any]]:
    """The member's audit entries (of one type)."""
    rows = dept.query(
        "SELECT event_type, severity FROM audit_logs WHERE user_id = %s ORDER BY id",
        uuid.UUID(user_id).hex,
    )
    return [row for row in rows if event_type is None or row["event_type"] == event_type]


def wait_for_entry(dept: Department, user_id: str, event_type: str) -> None:
    """Until the api's consumer wrote an entry of this type for the member (10 s)."""
    deadline = time.monotonic() + 10
    while not entries(dept, user_id, event_type):
        assert time.monotonic() < deadline, f"no {event_type} entry"
        time.sleep(0.2)


def refresh(client: httpx.Client) -> httpx.Response:
    return client.post(f"{AUTH}/refresh", headers={"X-CSRF-Token": client.cookies["csrf_token"]})


def refresh_with(dept: Department, refresh_token: str) -> httpx.Response:
    return httpx.post(
        f"{dept.gateway}{AUTH}/refresh", cookies={"refresh_token": refresh_token}, timeout=20
    )


def change_password(client: httpx.Client) -> httpx.Response:
    return client.post(
        f"{AUTH}/change-password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )


class TestPasswordChange:
    def test_the_device_keeps_working_with_fresh_cookies_and_others_are_refused(
        self, dept: Department
    ) -> None:
        _, username = dept.add_member("member")
        with dept.signed_in(username) as client, dept.signed_in(username) as other_device:
            old_access = client.cookies["access_token"]
            response = change_password(client)
            assert response.status_code == 200, response.text
            fresh = {c.name for c in client.cookies.jar if c.value}
            assert {"access_token", "refresh_token", "csrf_token"} <= fresh
            assert client.cookies["access_token"] != old_access
            client.headers["X-CSRF-Token"] = client.cookies["csrf_token"]
            assert client.get(f"{AUTH}/me").status_code == 200
            assert client.get("/api/v1/organization/modules").status_code == 200
            assert refresh(client).status_code == 200
            assert client.get(f"{AUTH}/me").status_code == 200
            assert other_device.get(f"{AUTH}/me").status_code == 401
            assert refresh(other_device).status_code == 401
        replay = httpx.get(
            f"{dept.gateway}{AUTH}/me", cookies={"access_token": old_access}, timeout=20
        )
        assert replay.status_code == 401

    def test_the_old_refresh_cookie_is_a_plain_401_without_an_alarm(self, dept: Department) -> None:
        user_id, username = dept.add_member("member")
        with dept.signed_in(username) as client:
            old_refresh = client.cookies.get("refresh_token", path="/api/v1/auth/") or ""
            assert change_password(client).status_code == 200
            # What a frontend still holding the cookie from before the change sends next.
            stale = refresh_with(dept, old_refresh)
            assert (stale.status_code, stale.json()["code"]) == (401, "LB-AUTH-002")
            # The device that changed the password is not signed out by it.
            client.headers["X-CSRF-Token"] = client.cookies["csrf_token"]
            assert client.get(f"{AUTH}/me").status_code == 200
            # An event after the stale refresh: once its entry is written, an alarm raised by
            # the refresh would have been written too.
            assert client.post(f"{AUTH}/logout").status_code == 200
        wait_for_entry(dept, user_id, "logout")
        assert entries(dept, user_id, REUSE) == []
        assert [e for e in entries(dept, user_id) if e["severity"] == "critical"] == []
        assert entries(dept, user_id, "password_changed")


class TestRefreshReuse:
    def test_a_reused_rotated_token_ends_the_sessions_and_writes_one_alarm(
        self, dept: Department
    ) -> None:
        user_id, username = dept.add_member("member")
        with dept.signed_in(username) as client, dept.signed_in(username) as other_device:
            stolen = client.cookies.get("refresh_token", path="/api/v1/auth/") or ""
            assert refresh(client).status_code == 200
            replay = refresh_with(dept, stolen)
            assert (replay.status_code, replay.json()["code"]) == (401, "LB-AUTH-002")
            assert client.get(f"{AUTH}/me").status_code == 401
            assert other_device.get(f"{AUTH}/me").status_code == 401
        wait_for_entry(dept, user_id, REUSE)
        alarms = entries(dept, user_id, REUSE)
        assert [a["severity"] for a in alarms] == ["critical"]
