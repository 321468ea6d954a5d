"""The whole public API documented in one place, through the gateway (issue 5, item 6)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from tests.e2e.stack import Stack, start_stack

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
]
ERROR_REF = "#/components/schemas/ErrorResponse"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(tmp_path_factory.mktemp("docs-stack"))
    try:
        yield running
    finally:
        running.stop()


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
    assert "401" not in login or "429" in login
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


def test_docs_can_be_switched_off(tmp_path: Path) -> None:
    stack = start_stack(tmp_path, ENABLE_DOCS="false")
    try:
        for path in ("/openapi.json", "/docs", "/redoc", "/docs/assets/redoc.standalone.js"):
            response = httpx.get(f"{stack.gateway}{path}", timeout=20)
            assert response.status_code == 404, path
            assert response.json()["code"] == "LB-API-404"
    finally:
        stack.stop()
