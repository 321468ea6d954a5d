"""The inbox flow through the gateway with a browser's cookies and CSRF header (issue 11).

An administrator resets a member's password on auth; the api's consumer turns the event into
an entry in the member's inbox, which the member reads, marks read and sees counted.
"""

import time
import uuid

import httpx
import pytest

from tests.e2e.department import Department

pytestmark = pytest.mark.e2e
INBOX = "/api/v1/notifications/my"
NEW_PASSWORD = "Ladder-Nine-Climbs#73"
WAIT_SECONDS = 20.0


@pytest.fixture(scope="module")
def dept(department: Department) -> Department:
    """The module's organization on the worker's shared platform (tests/e2e/conftest.py)."""
    return department


def unread(client: httpx.Client) -> int:
    response = client.get(f"{INBOX}/unread-count")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return int(response.json()["unread_count"])


def wait_for_unread(client: httpx.Client, count: int) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while unread(client) != count:
        assert time.monotonic() < deadline, f"the unread count never reached {count}"
        time.sleep(0.1)


class TestInboxThroughTheGateway:
    def test_an_admin_password_reset_reaches_the_members_inbox(self, dept: Department) -> None:
        member_id, username = dept.add_member("member")
        with dept.signed_in(dept.admin_username) as admin:
            reset = admin.post(
                f"/api/v1/users/{member_id}/reset-password",
                json={"new_password": NEW_PASSWORD, "force_change": False},
            )
            assert reset.status_code == 200, reset.text
        with httpx.Client(base_url=dept.gateway, timeout=20) as browser:
            login = {"username": username, "password": NEW_PASSWORD}
            assert browser.post("/api/v1/auth/login", json=login).status_code == 200
            wait_for_unread(browser, 1)
            (entry,) = browser.get(f"{INBOX}?include_read=true&limit=20").json()["logs"]
            assert (entry["subject"], entry["category"]) == (
                "Your password was reset by an administrator",
                "security",
            )
            read = f"{INBOX}/{entry['id']}/read"
            refused = browser.post(read)  # the access cookie without the CSRF header
            assert (refused.status_code, refused.json()["code"]) == (403, "LB-AUTH-009")
            csrf = {"X-CSRF-Token": browser.cookies["csrf_token"]}
            marked = browser.post(read, headers=csrf)
            assert (marked.status_code, marked.json()["read"]) == (200, True)
            assert unread(browser) == 0
            foreign = browser.post(f"{INBOX}/{uuid.uuid4()}/read", headers=csrf)
            assert (foreign.status_code, foreign.json()["code"]) == (404, "LB-API-404")
            pinned = browser.post(f"{INBOX}/{entry['id']}/pin?pinned=true", headers=csrf)
            assert pinned.json()["pinned"] is True
            assert browser.post(f"{INBOX}/read-all", headers=csrf).json() == {"marked_read": 0}


class TestTheNotificationsPage:
    """The calls the `/notifications` page and the account page make, as a browser makes them."""

    def test_an_administrator_manages_rules_and_reads_the_log_and_summary(
        self, dept: Department
    ) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            rule = {"name": "Drill reminders", "trigger": "event_reminder", "category": "events"}
            created = admin.post("/api/v1/notifications/rules", json=rule)
            assert created.status_code == 201, created.text
            rule_id = created.json()["id"]
            off = admin.post(f"/api/v1/notifications/rules/{rule_id}/toggle?enabled=false")
            assert (off.status_code, off.json()["enabled"]) == (200, False)
            listed = admin.get("/api/v1/notifications/rules").json()
            assert [r["id"] for r in listed["rules"]] == [rule_id]
            summary = admin.get("/api/v1/notifications/summary").json()
            assert (summary["total_rules"], summary["active_rules"]) == (1, 0)
            log = admin.get("/api/v1/notifications/logs")
            assert log.status_code == 200, log.text
            assert set(log.json()) == {"logs", "total", "skip", "limit"}
            read_all = admin.post("/api/v1/notifications/logs/read-all")
            assert read_all.status_code == 200, read_all.text
            push = admin.get("/api/v1/notifications/push/config").json()
            assert push == {"enabled": False, "public_key": None}

    def test_a_member_sees_the_page_but_cannot_change_rules(self, dept: Department) -> None:
        _, username = dept.add_member("member")
        with dept.signed_in(username) as member:
            assert member.get("/api/v1/notifications/rules").status_code == 200
            assert member.get("/api/v1/notifications/summary").status_code == 200
            assert member.get("/api/v1/notifications/logs").status_code == 200
            rule = {"name": "Mine", "trigger": "event_reminder", "category": "events"}
            refused = member.post("/api/v1/notifications/rules", json=rule)
            assert (refused.status_code, refused.json()["code"]) == (403, "LB-PERM-001")
