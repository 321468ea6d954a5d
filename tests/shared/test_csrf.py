"""The double-submit CSRF check every service runs, through HTTP on apps built by the factory."""

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from httpx import AsyncClient
from litestar import HttpMethod, Litestar, WebSocket, post, route, websocket
from litestar.params import FromPath
from litestar.testing import create_test_client

from shared.app import ServiceSpec, create_service_app
from shared.csrf import CsrfMiddleware
from shared.settings import Settings
from tests.support.app import create_test_app
from tests.support.client import app_client

TOKEN = "Zm9vYmFyLWNzcmYtdG9rZW4tdmFsdWUtMDEyMzQ1Njc4OWFi"
THING = {"name": "lamp", "count": 1}
WRITE_METHODS = ["PUT", "PATCH", "DELETE"]


@route(
    "/api/v1/things/{thing_id:int}",
    http_method=[HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE],
    status_code=200,
    sync_to_thread=False,
)
def change_thing(thing_id: FromPath[int]) -> dict[str, int]:
    """A state-changing route for every method besides POST."""
    return {"thing_id": thing_id}


@post("/api/v1/onboarding/start", status_code=201, sync_to_thread=False)
def start_onboarding() -> dict[str, bool]:
    """Under `/onboarding/`: its own token scheme."""
    return {"ok": True}


@post("/api/v1/organization/onboarding", status_code=201, sync_to_thread=False)
def finish_onboarding() -> dict[str, bool]:
    """Ending in `/onboarding`: its own token scheme."""
    return {"ok": True}


@post("/api/v1/onboarding-status", status_code=201, sync_to_thread=False)
def onboarding_lookalike() -> dict[str, bool]:
    """Merely contains the word: checked like any other route."""
    return {"ok": True}


@websocket("/ws")
async def echo(socket: WebSocket[Any, Any, Any]) -> None:
    """A WebSocket endpoint: the handshake carries cookies but cannot carry the header."""
    await socket.accept()
    await socket.send_text("hello")
    await socket.close()


def create_csrf_app(settings: Settings) -> Litestar:
    """A service with write routes for every method and onboarding paths."""
    spec = ServiceSpec(
        name="csrfsvc",
        route_handlers=[change_thing, start_onboarding, finish_onboarding, onboarding_lookalike],
    )
    return create_service_app(spec, settings)


@pytest.fixture
async def client(make_settings: Callable[..., Settings]) -> AsyncIterator[AsyncClient]:
    async with app_client(create_test_app(make_settings())) as test_client:
        yield test_client


@pytest.fixture
async def csrf_client(make_settings: Callable[..., Settings]) -> AsyncIterator[AsyncClient]:
    async with app_client(create_csrf_app(make_settings())) as test_client:
        yield test_client


def error_code(response_json: object) -> object:
    assert isinstance(response_json, dict)
    return response_json.get("code")


class TestPost:
    async def test_no_cookies_at_all_is_allowed(self, client: AsyncClient) -> None:
        response = await client.post("/things", json=THING)
        assert response.status_code == 201

    async def test_a_header_matching_the_cookie_is_allowed(self, client: AsyncClient) -> None:
        client.cookies.set("csrf_token", TOKEN)
        client.cookies.set("access_token", "a.b.c")
        response = await client.post("/things", json=THING, headers={"X-CSRF-Token": TOKEN})
        assert response.status_code == 201

    async def test_a_missing_header_is_403_invalid(self, client: AsyncClient) -> None:
        client.cookies.set("csrf_token", TOKEN)
        response = await client.post("/things", json=THING)
        assert response.status_code == 403
        assert error_code(response.json()) == "LB-AUTH-009"

    @pytest.mark.parametrize("header", ["wrong", TOKEN + "x", TOKEN[:-1], ""])
    async def test_a_wrong_header_is_403_invalid(self, client: AsyncClient, header: str) -> None:
        client.cookies.set("csrf_token", TOKEN)
        response = await client.post("/things", json=THING, headers={"X-CSRF-Token": header})
        assert response.status_code == 403
        assert error_code(response.json()) == "LB-AUTH-009"

    async def test_an_empty_cookie_with_an_empty_header_is_403(self, client: AsyncClient) -> None:
        client.cookies.set("csrf_token", "")
        response = await client.post("/things", json=THING, headers={"X-CSRF-Token": ""})
        assert response.status_code == 403
        assert error_code(response.json()) == "LB-AUTH-009"

    async def test_an_access_cookie_without_csrf_cookie_is_403_missing(
        self, client: AsyncClient
    ) -> None:
        client.cookies.set("access_token", "a.b.c")
        response = await client.post("/things", json=THING, headers={"X-CSRF-Token": TOKEN})
        assert response.status_code == 403
        assert error_code(response.json()) == "LB-AUTH-008"

    async def test_the_refusal_is_the_standard_envelope(self, client: AsyncClient) -> None:
        client.cookies.set("csrf_token", TOKEN)
        response = await client.post(
            "/things", json=THING, headers={"X-CSRF-Token": "wrong", "X-Request-ID": "csrf-1"}
        )
        assert response.status_code == 403
        assert response.headers["x-request-id"] == "csrf-1"
        assert response.json() == {
            "detail": "CSRF token invalid",
            "code": "LB-AUTH-009",
            "request_id": "csrf-1",
        }
        assert TOKEN not in response.text

    async def test_the_missing_cookie_refusal_is_the_standard_envelope(
        self, client: AsyncClient
    ) -> None:
        client.cookies.set("access_token", "a.b.c")
        response = await client.post("/things", json=THING, headers={"X-Request-ID": "csrf-2"})
        assert response.json() == {
            "detail": "CSRF token missing",
            "code": "LB-AUTH-008",
            "request_id": "csrf-2",
        }

    async def test_the_refusal_logs_no_token(
        self, client: AsyncClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        client.cookies.set("csrf_token", TOKEN)
        await client.post("/things", json=THING, headers={"X-CSRF-Token": "guess-" + TOKEN})
        assert "LB-AUTH-009" in caplog.text
        assert TOKEN not in caplog.text


class TestSafeMethods:
    @pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
    async def test_cookies_without_header_are_not_checked(
        self, client: AsyncClient, method: str
    ) -> None:
        client.cookies.set("csrf_token", TOKEN)
        client.cookies.set("access_token", "a.b.c")
        response = await client.request(method, "/conflict")
        assert response.status_code != 403

    async def test_get_reaches_the_handler(self, client: AsyncClient) -> None:
        client.cookies.set("access_token", "a.b.c")
        response = await client.get("/conflict")
        assert response.status_code == 409


class TestOtherWriteMethods:
    @pytest.mark.parametrize("method", WRITE_METHODS)
    async def test_matching_header_is_allowed(self, csrf_client: AsyncClient, method: str) -> None:
        csrf_client.cookies.set("csrf_token", TOKEN)
        response = await csrf_client.request(
            method, "/api/v1/things/7", headers={"X-CSRF-Token": TOKEN}
        )
        assert response.status_code == 200
        assert response.json() == {"thing_id": 7}

    @pytest.mark.parametrize("method", WRITE_METHODS)
    async def test_no_cookies_is_allowed(self, csrf_client: AsyncClient, method: str) -> None:
        response = await csrf_client.request(method, "/api/v1/things/7")
        assert response.status_code == 200

    @pytest.mark.parametrize("method", WRITE_METHODS)
    async def test_missing_header_is_403_invalid(
        self, csrf_client: AsyncClient, method: str
    ) -> None:
        csrf_client.cookies.set("csrf_token", TOKEN)
        response = await csrf_client.request(method, "/api/v1/things/7")
        assert response.status_code == 403
        assert error_code(response.json()) == "LB-AUTH-009"

    @pytest.mark.parametrize("method", WRITE_METHODS)
    async def test_access_cookie_alone_is_403_missing(
        self, csrf_client: AsyncClient, method: str
    ) -> None:
        csrf_client.cookies.set("access_token", "a.b.c")
        response = await csrf_client.request(method, "/api/v1/things/7")
        assert response.status_code == 403
        assert error_code(response.json()) == "LB-AUTH-008"

    @pytest.mark.parametrize("method", WRITE_METHODS)
    async def test_without_a_route_for_the_method_it_is_not_a_403(
        self, client: AsyncClient, method: str
    ) -> None:
        response = await client.request(method, "/things")
        assert response.status_code != 403


class TestExemptions:
    @pytest.mark.parametrize(
        "path", ["/api/v1/onboarding/start", "/api/v1/organization/onboarding"]
    )
    async def test_onboarding_paths_are_not_checked(
        self, csrf_client: AsyncClient, path: str
    ) -> None:
        csrf_client.cookies.set("access_token", "a.b.c")
        response = await csrf_client.post(path)
        assert response.status_code == 201

    async def test_a_path_merely_containing_onboarding_is_checked(
        self, csrf_client: AsyncClient
    ) -> None:
        csrf_client.cookies.set("access_token", "a.b.c")
        response = await csrf_client.post("/api/v1/onboarding-status")
        assert response.status_code == 403
        assert error_code(response.json()) == "LB-AUTH-008"

    def test_websocket_handshakes_are_not_checked(self) -> None:
        with create_test_client(route_handlers=[echo], middleware=[CsrfMiddleware()]) as test:
            test.cookies.set("access_token", "a.b.c")
            with test.websocket_connect("/ws") as socket:
                assert socket.receive_text() == "hello"
