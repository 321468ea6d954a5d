"""The audit trail's read routes through the gateway (app-shell spec §3.4): filters, paging,
stats, one entry, the audit.view guard and tenancy."""

import time
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.department import PASSWORD, Department, create_admin

# The module's tests on one worker, also under xdist with --dist loadgroup.
pytestmark = pytest.mark.e2e
LOGS = "/api/v1/audit-logs"
ENTRY_FIELDS = {
    "id",
    "timestamp",
    "event_type",
    "event_category",
    "severity",
    "user_id",
    "username",
    "ip_address",
    "event_data",
}


def entries_of(department: Department, user_id: str, event_type: str, count: int) -> list[int]:
    """Ids of the member's entries of one type, once the audit consumer wrote `count` (<= 10 s)."""
    deadline = time.monotonic() + 10
    while True:
        rows = department.query(
            "SELECT id FROM audit_logs WHERE user_id = %s AND event_type = %s ORDER BY id",
            user_id,
            event_type,
        )
        if len(rows) >= count or time.monotonic() > deadline:
            assert len(rows) == count, f"{len(rows)} {event_type} entries, wanted {count}"
            return [row["id"] for row in rows]
        time.sleep(0.1)


def failed_sign_in(department: Department, username: str) -> None:
    response = httpx.post(
        f"{department.gateway}/api/v1/auth/login",
        json={"username": username, "password": "Not-The-Password#1"},
        headers={"User-Agent": "audit-test/1.0"},
    )
    assert response.status_code == 401


@pytest.fixture(scope="module")
def auditor(department: Department) -> tuple[str, str]:
    """A treasurer (audit.view) who signed in once and failed twice."""
    user_id, username = department.add_member("treasurer")
    failed_sign_in(department, username)
    failed_sign_in(department, username)
    with department.signed_in(username):
        pass
    entries_of(department, user_id, "login_failed", 2)
    entries_of(department, user_id, "login_succeeded", 1)
    return user_id, username


def page(client: httpx.Client, **params: Any) -> dict[str, Any]:
    response = client.get(LOGS, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class TestList:
    def test_entries_have_the_spec_fields_newest_first(
        self, department: Department, auditor: tuple[str, str]
    ) -> None:
        user_id, username = auditor
        with department.signed_in(username) as client:
            body = page(client, user_id=user_id)
        assert set(body) == {"logs", "total", "skip", "limit"}
        assert (body["skip"], body["limit"]) == (0, 50)
        logs = body["logs"]
        assert body["total"] == len(logs) >= 3  # two failures, a sign-in (this one may lag)
        assert all(set(entry) == ENTRY_FIELDS for entry in logs)
        stamps = [entry["timestamp"] for entry in logs]
        assert stamps == sorted(stamps, reverse=True)
        assert all(stamp.endswith(("Z", "+00:00")) for stamp in stamps)
        failure = next(e for e in logs if e["event_type"] == "login_failed")
        assert failure["event_category"] == "auth"
        assert failure["severity"] == "warning"
        assert failure["username"] == username
        assert failure["ip_address"] == "127.0.0.1"
        assert failure["event_data"]["reason"] == "invalid_credentials"
        assert "current_hash" not in failure

    def test_filters_by_type_category_and_severity(
        self, department: Department, auditor: tuple[str, str]
    ) -> None:
        user_id, username = auditor
        with department.signed_in(username) as client:
            failures = page(client, user_id=user_id, event_type="login_failed")
            warnings = page(client, user_id=user_id, severity="warning", event_category="auth")
            none = page(client, user_id=user_id, event_category="finance")
        assert failures["total"] == 2
        assert {e["event_type"] for e in failures["logs"]} == {"login_failed"}
        assert [e["id"] for e in warnings["logs"]] == [e["id"] for e in failures["logs"]]
        assert none == {"logs": [], "total": 0, "skip": 0, "limit": 50}

    def test_search_is_case_insensitive_and_takes_wildcards_literally(
        self, department: Department, auditor: tuple[str, str]
    ) -> None:
        user_id, username = auditor
        with department.signed_in(username) as client:
            by_name = page(client, search=username.upper())
            by_type = page(client, search="LOGIN_FAIL", user_id=user_id)
            percent = page(client, search="login%failed")
            underscore = page(client, search="login_f_iled")
        assert by_name["total"] >= 3
        assert {e["username"] for e in by_name["logs"]} == {username}
        assert by_type["total"] == 2
        # Unescaped, `%` and `_` would have matched login_failed.
        assert percent["total"] == 0
        assert underscore["total"] == 0

    def test_dates_are_inclusive_bounds(
        self, department: Department, auditor: tuple[str, str]
    ) -> None:
        user_id, username = auditor
        with department.signed_in(username) as client:
            logs = page(client, user_id=user_id, event_type="login_failed")["logs"]
            oldest = logs[-1]["timestamp"]
            inclusive = page(client, user_id=user_id, event_type="login_failed", start_date=oldest)
            before = page(client, user_id=user_id, end_date="2000-01-01T00:00:00")
            after = page(client, user_id=user_id, start_date="2999-01-01T00:00:00Z")
        assert inclusive["total"] == 2
        assert before["total"] == after["total"] == 0

    def test_skip_and_limit_page_through_the_entries(
        self, department: Department, auditor: tuple[str, str]
    ) -> None:
        user_id, username = auditor
        with department.signed_in(username) as client:
            # Failures only: this test's own sign-in may land in the trail meanwhile.
            failures = {"user_id": user_id, "event_type": "login_failed"}
            everything = page(client, **failures)
            first = page(client, **failures, limit=1)
            second = page(client, **failures, skip=1, limit=1)
            beyond = page(client, **failures, skip=2)
        assert (first["skip"], first["limit"], first["total"]) == (0, 1, 2)
        assert (second["skip"], second["limit"], second["total"]) == (1, 1, 2)
        assert [e["id"] for e in first["logs"] + second["logs"]] == [
            e["id"] for e in everything["logs"]
        ]
        assert (beyond["logs"], beyond["total"]) == ([], 2)

    @pytest.mark.parametrize(
        "params",
        [
            {"limit": 0},
            {"limit": 501},
            {"skip": -1},
            {"skip": "x"},
            {"severity": "fatal"},
            {"user_id": "not-a-uuid"},
            {"start_date": "yesterday"},
            {"event_type": "x" * 101},
            {"event_category": "x" * 51},
            {"search": "x" * 201},
        ],
    )
    def test_out_of_bounds_parameters_are_422(
        self, department: Department, auditor: tuple[str, str], params: dict[str, Any]
    ) -> None:
        with department.signed_in(auditor[1]) as client:
            response = client.get(LOGS, params=params)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "LB-VAL-001"


class TestStatsAndEntry:
    def test_stats_count_by_severity_and_category(
        self, department: Department, auditor: tuple[str, str]
    ) -> None:
        with department.signed_in(auditor[1]) as client:
            stats = client.get(f"{LOGS}/stats").json()
            everything = page(client, limit=500)
        assert set(stats) == {"total", "by_severity", "by_category"}
        assert stats["total"] <= everything["total"]  # read second, the list may have grown
        assert set(stats["by_severity"]) <= {"info", "warning", "critical"}
        assert stats["by_severity"]["warning"] >= 2
        assert sum(stats["by_severity"].values()) == stats["total"]
        counts = list(stats["by_category"].values())
        assert counts == sorted(counts, reverse=True)
        assert len(counts) <= 10
        assert stats["by_category"]["auth"] >= 3

    def test_one_entry_by_id(self, department: Department, auditor: tuple[str, str]) -> None:
        user_id, username = auditor
        (failure, _) = entries_of(department, user_id, "login_failed", 2)
        with department.signed_in(username) as client:
            response = client.get(f"{LOGS}/{failure}")
            missing = client.get(f"{LOGS}/999999999")
            malformed = client.get(f"{LOGS}/abc")
        assert response.status_code == 200
        entry = response.json()
        assert set(entry) == ENTRY_FIELDS
        assert (entry["id"], entry["event_type"], entry["user_id"]) == (
            failure,
            "login_failed",
            user_id,
        )
        assert missing.status_code == 404
        assert missing.json()["code"] == "LB-API-404"
        assert malformed.status_code == 422


class TestPermissionsAndTenancy:
    ROUTES = (
        LOGS,
        f"{LOGS}/stats",
        f"{LOGS}/1",
        "/api/v1/security/audit-log/integrity",
    )

    def test_a_member_without_audit_view_gets_403_everywhere(self, department: Department) -> None:
        _, username = department.add_member("member")
        with department.signed_in(username) as client:
            answers = [client.get(route) for route in self.ROUTES]
        assert [a.status_code for a in answers] == [403] * 4
        assert {a.json()["code"] for a in answers} == {"LB-PERM-001"}

    def test_without_a_session_the_routes_are_401(self, department: Department) -> None:
        answers = [httpx.get(f"{department.gateway}{route}") for route in self.ROUTES]
        assert [a.status_code for a in answers] == [401] * 4

    def test_another_organizations_entries_are_invisible(
        self, department: Department, auditor: tuple[str, str]
    ) -> None:
        org_name, admin = f"Other {uuid.uuid4().hex[:6]}", f"o{uuid.uuid4().hex[:10]}"
        create_admin(department, org_name, admin)
        response = httpx.post(
            f"{department.gateway}/api/v1/auth/login",
            json={"username": admin, "password": PASSWORD},
        )
        assert response.status_code == 200
        (other,) = department.query("SELECT id FROM users WHERE username = %s", admin)
        (foreign,) = entries_of(department, str(uuid.UUID(other["id"])), "login_succeeded", 1)
        with department.signed_in(auditor[1]) as client:
            single = client.get(f"{LOGS}/{foreign}")
            listed = page(client, limit=500, search=admin)
            stats = client.get(f"{LOGS}/stats").json()
        assert single.status_code == 404
        assert single.json()["code"] == "LB-API-404"
        assert listed["total"] == 0
        own = department.query(
            "SELECT COUNT(*) AS n FROM audit_logs WHERE organization_id = %s",
            department.organization_id,
        )[0]["n"]
        assert stats["total"] <= own
