"""Hostile input through the gateway (issue 10, F3, F4 and F9): answered in the envelope, never
stored when invisible, never a 500."""

from typing import Any

import httpx
import pytest

from tests.api.members_support import USERS, member_body, unique
from tests.e2e.department import Department

pytestmark = pytest.mark.e2e
LOCATIONS = "/api/v1/locations"
TOO_BIG = str(2**64)  # past MySQL's unsigned LIMIT range


class TestPaging:
    @pytest.mark.parametrize("path", [LOCATIONS, "/api/v1/operational-ranks"])
    def test_a_huge_skip_is_a_422_naming_it(self, department: Department, path: str) -> None:
        with department.signed_in(department.admin_username) as admin:
            response = admin.get(path, params={"skip": TOO_BIG})
        assert response.status_code == 422, response.text
        assert response.json()["detail"] == [{"field": "skip", "message": "Out of range"}]


class TestControlCharacters:
    @pytest.mark.parametrize("name", ["Bay\x00One", "Bay\x1bOne", "Bay\nOne", "Bay One\n"])
    def test_a_location_name_with_one_is_refused(self, department: Department, name: str) -> None:
        with department.signed_in(department.admin_username) as admin:
            response = admin.post(LOCATIONS, json={"name": name})
        assert response.status_code == 422, response.text
        assert response.json()["detail"] == [{"field": "name", "message": "Invalid value"}]
        assert not department.query("SELECT id FROM locations WHERE name = %s", name)

    def test_a_description_keeps_its_line_breaks_and_tabs(self, department: Department) -> None:
        description = "Bay doors:\n\tnorth\r\n\tsouth"
        with department.signed_in(department.admin_username) as admin:
            response = admin.post(
                LOCATIONS, json={"name": unique("Bay"), "description": description}
            )
        assert response.status_code == 201, response.text
        assert response.json()["description"] == description

    @pytest.mark.parametrize(
        "field", ["username", "first_name", "last_name", "email", "membership_number"]
    )
    def test_a_member_field_with_a_nul_is_refused(self, department: Department, field: str) -> None:
        body = member_body()
        value = f"{body.get(field, 'B-1')}"
        body[field] = value[:2] + "\x00" + value[2:]
        with department.signed_in(department.admin_username) as admin:
            response = admin.post(USERS, json=body)
        assert response.status_code == 422, response.text
        assert response.json()["detail"] == [{"field": field, "message": "Invalid value"}]
        assert not department.query("SELECT id FROM users WHERE username = %s", body["username"])


class TestHeaders:
    def test_headers_over_the_limit_get_a_431_in_the_envelope(self, department: Department) -> None:
        # Past the old gateway limit (16 KiB), within what it now reads before answering.
        response = httpx.get(
            f"{department.gateway}/api/v1/auth/branding",
            headers={"X-Padding": "a" * 40_000},
            timeout=20,
        )
        assert response.status_code == 431
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert body["code"] == "LB-API-431"
        assert body["request_id"] == response.headers["x-request-id"]

    def test_ordinary_headers_still_pass(self, department: Department) -> None:
        response = httpx.get(
            f"{department.gateway}/api/v1/auth/branding",
            headers={"X-Padding": "a" * 8_000},
            timeout=20,
        )
        assert response.status_code == 200, response.text


class TestOptions:
    @pytest.mark.parametrize(
        ("path", "methods"),
        [
            (USERS, {"GET", "POST", "OPTIONS"}),
            (LOCATIONS, {"GET", "POST", "OPTIONS"}),
            ("/api/v1/users/00000000-0000-0000-0000-000000000001/photo", {"POST", "DELETE"}),
        ],
    )
    def test_allow_lists_every_method_of_the_path(
        self, department: Department, path: str, methods: set[str]
    ) -> None:
        with department.signed_in(department.admin_username) as admin:
            response = admin.options(path)
        assert response.status_code == 204, response.text
        allowed = {method.strip() for method in response.headers["allow"].split(",")}
        assert methods <= allowed


class TestAuditDates:
    @pytest.mark.parametrize("value", ["0.5", "1700000000", "2026-02-30T00:00:00Z", "tomorrow"])
    def test_a_date_that_is_not_iso_is_a_422(self, department: Department, value: str) -> None:
        with department.signed_in(department.admin_username) as admin:
            response = admin.get("/api/v1/audit-logs", params={"start_date": value})
        assert response.status_code == 422, response.text
        assert response.json()["detail"] == [{"field": "start_date", "message": "Invalid date"}]

    @pytest.mark.parametrize("value", ["2026-01-01T00:00:00Z", "2026-01-01T05:30:00+05:30"])
    def test_an_iso_datetime_filters(self, department: Department, value: str) -> None:
        with department.signed_in(department.admin_username) as admin:
            response = admin.get("/api/v1/audit-logs", params={"end_date": value})
        assert response.status_code == 200, response.text


@pytest.fixture(scope="module")
def document(department: Department) -> dict[str, Any]:
    response = httpx.get(f"{department.gateway}/openapi.json", timeout=20)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class TestDocumentedErrors:
    @pytest.mark.parametrize(
        ("method", "path", "status"),
        [
            ("post", USERS, "409"),
            ("post", LOCATIONS, "409"),
            # Found by the fuzz run: an edit can clash as a creation can.
            ("patch", LOCATIONS + "/{location_id}", "409"),
            ("patch", USERS + "/{user_id}/profile", "409"),
            ("patch", USERS + "/{user_id}/contact-info", "409"),
            ("post", "/api/v1/roles", "409"),
            ("post", "/api/v1/users/{user_id}/reset-password", "429"),
            ("post", "/api/v1/users/{user_id}/reset-mfa", "429"),
        ],
    )
    def test_the_answer_is_documented_in_the_envelope(
        self, document: dict[str, Any], method: str, path: str, status: str
    ) -> None:
        response = document["paths"][path][method]["responses"][status]
        schema = response["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorResponse"}
