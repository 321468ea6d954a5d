"""The whole public API documented in one place, through the gateway (issue 5, item 6)."""

from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from tests.e2e.department import Platform
from tests.e2e.stack import Stack

pytestmark = pytest.mark.e2e

# CORE paths of the specs implemented so far (method, path as the document spells it).
CORE_OPERATIONS = [
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/mfa/login"),
    ("post", "/api/v1/auth/refresh"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/auth/me"),
    ("get", "/api/v1/auth/session-settings"),
    ("get", "/api/v1/auth/branding"),
    ("get", "/api/v1/auth/oauth-config"),
    ("post", "/api/v1/auth/change-password"),
    ("get", "/api/v1/onboarding/status"),
    ("get", "/api/v1/organization/modules"),
    # spec/members-roles-organization.md §3.1-§3.5 (AUTH rows are auth's, routed by the gateway)
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/users/contact-info-enabled"),
    ("get", "/api/v1/users/with-roles"),
    ("get", "/api/v1/users/archived"),
    ("get", "/api/v1/users/{user_id}/with-roles"),
    ("patch", "/api/v1/users/{user_id}/profile"),
    ("patch", "/api/v1/users/{user_id}/contact-info"),
    ("put", "/api/v1/users/{user_id}/roles"),
    ("delete", "/api/v1/users/{user_id}"),
    ("get", "/api/v1/users/{user_id}/deletion-impact"),
    ("post", "/api/v1/users/{user_id}/photo"),
    ("delete", "/api/v1/users/{user_id}/photo"),
    ("get", "/api/v1/users/{user_id}/audit-history"),
    ("post", "/api/v1/users/{user_id}/reset-password"),
    ("post", "/api/v1/users/{user_id}/reset-mfa"),
    ("patch", "/api/v1/users/{user_id}/status"),
    ("post", "/api/v1/users/{user_id}/reactivate"),
    ("patch", "/api/v1/users/{user_id}/membership-type"),
    ("patch", "/api/v1/users/{user_id}/compliance-exempt"),
    ("get", "/api/v1/roles/permissions/by-category"),
    ("get", "/api/v1/roles"),
    ("post", "/api/v1/roles"),
    ("patch", "/api/v1/roles/{role_id}"),
    ("delete", "/api/v1/roles/{role_id}"),
    ("get", "/api/v1/organization/settings"),
    ("patch", "/api/v1/organization/settings"),
    ("patch", "/api/v1/organization/settings/contact-info"),
    ("patch", "/api/v1/organization/settings/email"),
    ("patch", "/api/v1/organization/settings/file-storage"),
    ("patch", "/api/v1/organization/settings/auth"),
    ("patch", "/api/v1/organization/settings/membership-id"),
    ("get", "/api/v1/organization/settings/membership-id/preview"),
    ("patch", "/api/v1/organization/modules"),
    ("get", "/api/v1/organization/profile"),
    ("patch", "/api/v1/organization/profile"),
    ("get", "/api/v1/organization/address"),
    ("get", "/api/v1/locations"),
    ("post", "/api/v1/locations"),
    ("get", "/api/v1/locations/{location_id}"),
    ("patch", "/api/v1/locations/{location_id}"),
    ("delete", "/api/v1/locations/{location_id}"),
    ("post", "/api/v1/locations/{location_id}/regenerate-display-code"),
    ("get", "/api/v1/operational-ranks"),
    ("post", "/api/v1/operational-ranks"),
    ("get", "/api/v1/operational-ranks/validate"),
    ("post", "/api/v1/operational-ranks/reorder"),
    ("patch", "/api/v1/operational-ranks/{rank_id}"),
    ("delete", "/api/v1/operational-ranks/{rank_id}"),
    # app-shell spec §3.4: the audit trail
    ("get", "/api/v1/audit-logs"),
    ("get", "/api/v1/audit-logs/stats"),
    ("get", "/api/v1/audit-logs/{log_id}"),
    ("get", "/api/v1/security/audit-log/integrity"),
    # spec/inventory.md §6.1, §6.2, #23, #31: the catalog
    ("get", "/api/v1/inventory/categories"),
    ("post", "/api/v1/inventory/categories"),
    ("get", "/api/v1/inventory/categories/{category_id}"),
    ("patch", "/api/v1/inventory/categories/{category_id}"),
    ("delete", "/api/v1/inventory/categories/{category_id}"),
    ("get", "/api/v1/inventory/items"),
    ("post", "/api/v1/inventory/items"),
    ("get", "/api/v1/inventory/items/{item_id}"),
    ("patch", "/api/v1/inventory/items/{item_id}"),
    ("post", "/api/v1/inventory/items/{item_id}/retire"),
    ("get", "/api/v1/inventory/items/{item_id}/history"),
    ("get", "/api/v1/inventory/lookup"),
    ("get", "/api/v1/inventory/storage-areas"),
    # spec/inventory.md §6.7, §6.8: dashboard figures and a member's holdings
    ("get", "/api/v1/inventory/summary"),
    ("get", "/api/v1/inventory/summary/by-location"),
    ("get", "/api/v1/inventory/low-stock"),
    ("get", "/api/v1/inventory/members-summary"),
    ("get", "/api/v1/inventory/users/{user_id}/inventory"),
    # spec/inventory.md §6.3-§6.6: the holder flows and the desk's batches
    ("post", "/api/v1/inventory/items/{item_id}/assign"),
    ("post", "/api/v1/inventory/items/{item_id}/unassign"),
    ("post", "/api/v1/inventory/items/{item_id}/issue"),
    ("post", "/api/v1/inventory/issuances/{issuance_id}/return"),
    ("get", "/api/v1/inventory/items/{item_id}/issuances"),
    ("get", "/api/v1/inventory/users/{user_id}/issuances"),
    ("post", "/api/v1/inventory/checkout"),
    ("post", "/api/v1/inventory/checkout/{checkout_id}/checkin"),
    ("patch", "/api/v1/inventory/checkout/{checkout_id}/extend"),
    ("get", "/api/v1/inventory/checkout/active"),
    ("get", "/api/v1/inventory/checkout/overdue"),
    ("post", "/api/v1/inventory/batch-checkout"),
    ("post", "/api/v1/inventory/batch-return"),
    # spec/events.md §3 #1-#11: the calendar and recurring series
    ("get", "/api/v1/events"),
    ("post", "/api/v1/events"),
    ("get", "/api/v1/events/visible-event-types"),
    ("get", "/api/v1/events/{event_id}"),
    ("patch", "/api/v1/events/{event_id}"),
    ("delete", "/api/v1/events/{event_id}"),
    ("post", "/api/v1/events/{event_id}/publish"),
    ("post", "/api/v1/events/{event_id}/cancel"),
    ("post", "/api/v1/events/recurring"),
    ("post", "/api/v1/events/{event_id}/cancel-series"),
    ("delete", "/api/v1/events/{event_id}/series"),
    # spec/events.md §3 #12-#25: RSVPs, check-in and attendance
    ("post", "/api/v1/events/{event_id}/rsvp"),
    ("get", "/api/v1/events/{event_id}/rsvps"),
    ("get", "/api/v1/events/{event_id}/eligible-members"),
    ("post", "/api/v1/events/{event_id}/check-in"),
    ("post", "/api/v1/events/{event_id}/add-attendee"),
    ("patch", "/api/v1/events/{event_id}/rsvps/{user_id}/override"),
    ("delete", "/api/v1/events/{event_id}/rsvps/{user_id}"),
    ("get", "/api/v1/events/{event_id}/qr-check-in-data"),
    ("post", "/api/v1/events/{event_id}/self-check-in"),
    ("get", "/api/v1/events/{event_id}/stats"),
    ("get", "/api/v1/events/{event_id}/check-in-monitoring"),
    ("post", "/api/v1/events/{event_id}/record-times"),
    ("post", "/api/v1/events/{event_id}/finalize-attendance"),
    ("post", "/api/v1/events/{event_id}/end-event"),
    # spec/training.md §3 #1-#14: the course library and records
    ("get", "/api/v1/training/categories"),
    ("post", "/api/v1/training/categories"),
    ("get", "/api/v1/training/categories/{category_id}"),
    ("patch", "/api/v1/training/categories/{category_id}"),
    ("delete", "/api/v1/training/categories/{category_id}"),
    ("get", "/api/v1/training/courses"),
    ("post", "/api/v1/training/courses"),
    ("get", "/api/v1/training/courses/{course_id}"),
    ("patch", "/api/v1/training/courses/{course_id}"),
    ("get", "/api/v1/training/records"),
    ("post", "/api/v1/training/records"),
    ("post", "/api/v1/training/records/bulk"),
    ("patch", "/api/v1/training/records/{record_id}"),
    ("delete", "/api/v1/training/records/{record_id}"),
    # spec/training.md §3 #15-#25: requirements, member reads, expiring lists, the matrix
    ("get", "/api/v1/training/requirements"),
    ("post", "/api/v1/training/requirements"),
    ("patch", "/api/v1/training/requirements/{requirement_id}"),
    ("delete", "/api/v1/training/requirements/{requirement_id}"),
    ("get", "/api/v1/training/stats/user/{user_id}"),
    ("get", "/api/v1/training/compliance-summary/{user_id}"),
    ("get", "/api/v1/training/requirements/progress/{user_id}"),
    ("get", "/api/v1/training/certifications/expiring"),
    ("get", "/api/v1/training/expiring-certifications"),
    ("get", "/api/v1/training/module-config/my-training"),
    ("get", "/api/v1/training/compliance-matrix"),
    # leaves-waivers addendum §1.2, §2: leaves of absence and training waivers
    ("post", "/api/v1/users/leaves-of-absence"),
    ("get", "/api/v1/users/leaves-of-absence"),
    ("get", "/api/v1/users/{user_id}/leaves-of-absence"),
    ("delete", "/api/v1/users/leaves-of-absence/{leave_id}"),
    ("post", "/api/v1/training/waivers"),
    ("get", "/api/v1/training/waivers"),
    ("delete", "/api/v1/training/waivers/{waiver_id}"),
    # issue 14 item 4 (training.md §7): training sessions and their finalize
    ("post", "/api/v1/training/sessions"),
    ("post", "/api/v1/training/sessions/{session_id}/finalize"),
]
ERROR_REF = "#/components/schemas/ErrorResponse"


@pytest.fixture(scope="module")
def stack(shared_platform: Platform) -> Stack:
    """The worker's shared platform: the document does not depend on any organization."""
    return shared_platform.stack


@pytest.fixture(scope="module")
def document(stack: Stack) -> dict[str, Any]:
    response = httpx.get(f"{stack.gateway}/openapi.json", timeout=20)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_merged_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises with the first violation


def test_auth_and_api_routes_are_in_one_document(document: dict[str, Any]) -> None:
    missing = [
        f"{method.upper()} {path}"
        for method, path in CORE_OPERATIONS
        if method not in document["paths"].get(path, {})
    ]
    assert missing == []
    assert not [path for path in document["paths"] if path.startswith("/internal")]


def test_every_operation_lists_its_errors_in_the_envelope(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            for status in ("500", "503"):
                schema = responses[status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": ERROR_REF}, f"{method} {path} {status}"
    me = document["paths"]["/api/v1/auth/me"]["get"]["responses"]
    assert me["401"]["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}
    login = document["paths"]["/api/v1/auth/login"]["post"]["responses"]
    # Public, so no 403; but wrong credentials are 401 and repeated attempts 429.
    assert set(login) >= {"401", "422", "429", "500", "503"}
    assert "403" not in login
    assert login["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationErrorResponse"
    }


@pytest.mark.parametrize(
    ("page", "assets"),
    [
        ("/docs", ["/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"]),
        ("/redoc", ["/docs/assets/redoc.standalone.js"]),
    ],
)
def test_the_viewers_load_only_local_assets(stack: Stack, page: str, assets: list[str]) -> None:
    html = httpx.get(f"{stack.gateway}{page}", timeout=20)
    assert html.status_code == 200
    assert "text/html" in html.headers["content-type"]
    assert "http://" not in html.text  # nothing from a CDN
    assert "https://" not in html.text
    for asset in assets:
        assert asset in html.text
        response = httpx.get(f"{stack.gateway}{asset}", timeout=20)
        assert response.status_code == 200, asset
        assert len(response.content) > 100_000  # the real viewer, not a placeholder
