"""The dashboard and frontend error reports through the gateway, signed in like a browser
(cookies and `X-CSRF-Token`): app-shell spec §4 and leaves-waivers spec §4."""

import uuid

import pytest

from tests.e2e.department import Department

pytestmark = pytest.mark.e2e
DASHBOARD = "/api/v1/dashboard"
ERRORS = "/api/v1/errors"


@pytest.fixture(scope="module")
def dept(department: Department) -> Department:
    """The module's organization on the worker's shared platform."""
    return department


def test_the_dashboard_answers_a_signed_in_browser(dept: Department) -> None:
    dept.add_member("member")
    dept.add_member("member", status="inactive")
    _, member = dept.add_member("member")
    with dept.signed_in(dept.admin_username) as admin:
        summary = admin.get(f"{DASHBOARD}/admin-summary")
        assert summary.status_code == 200, summary.text
        # The chief, two active members and one inactive.
        assert (summary.json()["total_members"], summary.json()["active_members"]) == (4, 3)
        assert summary.json()["inactive_members"] == 1
    with dept.signed_in(member) as browser:
        widgets = browser.get(f"{DASHBOARD}/widgets", params={"period": "quarter"})
        assert widgets.json() == {
            "period": "quarter",
            "period_label": "This quarter",
            "finance": None,
            "fundraising": None,
            "community": None,
        }
        assert browser.get(f"{DASHBOARD}/admin-summary").status_code == 403
        for later in (f"{DASHBOARD}/operations", "/api/v1/organization/setup-checklist"):
            response = browser.get(later)
            assert (response.status_code, response.json()["code"]) == (404, "LB-API-404")


def test_an_error_report_is_kept_for_the_members_organization(dept: Department) -> None:
    user_id, member = dept.add_member("member")
    with dept.signed_in(member) as browser:
        without_csrf = browser.post(f"{ERRORS}/log", json={}, headers={"X-CSRF-Token": "wrong"})
        assert (without_csrf.status_code, without_csrf.json()["code"]) == (403, "LB-AUTH-009")
        sent = browser.post(
            f"{ERRORS}/log",
            json={
                "error_type": "API_SERVER_ERROR",
                "context": {"page": "/display/KIOSK123", "access_token": "s3cr3t"},
            },
        )
        assert sent.status_code == 200, sent.text
        assert browser.get(ERRORS).status_code == 403  # audit.view only
    rows = dept.query(
        "SELECT organization_id, user_id, context FROM error_logs WHERE id = %s",
        uuid.UUID(sent.json()["id"]).hex,
    )
    assert len(rows) == 1
    assert uuid.UUID(rows[0]["organization_id"]) == uuid.UUID(dept.organization_id)
    assert uuid.UUID(rows[0]["user_id"]) == uuid.UUID(user_id)
    assert "KIOSK123" not in rows[0]["context"]
    assert "s3cr3t" not in rows[0]["context"]
    with dept.signed_in(dept.admin_username) as admin:
        listed = admin.get(ERRORS, params={"error_type": "API_SERVER_ERROR"})
        assert [e["id"] for e in listed.json()["errors"]] == [sent.json()["id"]]
        assert admin.get(f"{ERRORS}/codes").json()["codes"]
