"""The error envelope and request ids, through HTTP on a service built with the shared factory."""

import re
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
from httpx import AsyncClient

from shared.settings import Settings
from tests.support.app import create_test_app
from tests.support.client import app_client
from tests.support.proxy import free_port

HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
async def client(make_settings: Callable[..., Settings]) -> AsyncIterator[AsyncClient]:
    async with app_client(create_test_app(make_settings())) as test_client:
        yield test_client


class TestRequestId:
    async def test_a_well_formed_gateway_id_is_kept_and_echoed(self, client: AsyncClient) -> None:
        response = await client.get("/conflict", headers={"X-Request-ID": "abc-DEF_123"})
        assert response.headers["x-request-id"] == "abc-DEF_123"
        assert response.json()["request_id"] == "abc-DEF_123"

    @pytest.mark.parametrize("bad", ["has space", "x" * 65, "semi;colon", "../etc/passwd"])
    async def test_a_malformed_id_is_replaced(self, client: AsyncClient, bad: str) -> None:
        response = await client.get("/conflict", headers={"X-Request-ID": bad})
        assert HEX_ID.fullmatch(response.headers["x-request-id"])
        assert response.json()["request_id"] == response.headers["x-request-id"]

    async def test_a_missing_id_is_created_fresh_per_request(self, client: AsyncClient) -> None:
        first = (await client.get("/conflict")).headers["x-request-id"]
        second = (await client.get("/conflict")).headers["x-request-id"]
        assert HEX_ID.fullmatch(first)
        assert first != second


class TestErrorEnvelope:
    async def test_app_error_has_its_status_code_and_detail(self, client: AsyncClient) -> None:
        response = await client.get("/conflict", headers={"X-Request-ID": "r1"})
        assert response.status_code == 409
        assert response.json() == {
            "detail": "A thing with this name already exists",
            "code": "LB-API-409",
            "request_id": "r1",
        }

    async def test_a_503_keeps_its_status_and_retry_after(self, client: AsyncClient) -> None:
        response = await client.get("/unavailable")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert response.json()["code"] == "LB-API-503"
        assert "secret" not in response.text

    async def test_unknown_route_is_a_json_404(self, client: AsyncClient) -> None:
        response = await client.get("/no/such/route", headers={"X-Request-ID": "r2"})
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/json")
        assert response.json() == {"detail": "Not Found", "code": "LB-API-404", "request_id": "r2"}

    async def test_wrong_method_is_a_json_405(self, client: AsyncClient) -> None:
        response = await client.delete("/things")
        assert response.status_code == 405
        assert response.json()["code"] == "LB-API-405"

    async def test_unhandled_exception_is_500_without_any_detail(self, client: AsyncClient) -> None:
        response = await client.get("/boom", headers={"X-Request-ID": "r3"})
        assert response.status_code == 500
        assert response.json() == {
            "detail": "Internal server error",
            "code": "LB-SYS-001",
            "request_id": "r3",
        }
        assert "hunter2" not in response.text
        assert "Traceback" not in response.text

    async def test_malformed_json_is_a_400_in_the_envelope(self, client: AsyncClient) -> None:
        response = await client.post(
            "/things", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400
        assert response.json()["code"] == "LB-API-400"


class TestValidation:
    async def _post(self, client: AsyncClient, body: object) -> list[dict[str, str]]:
        response = await client.post("/things", json=body)
        assert response.status_code == 422
        payload = response.json()
        assert payload["code"] == "LB-VAL-001"
        errors: list[dict[str, str]] = payload["detail"]
        return errors

    async def test_missing_field_is_named(self, client: AsyncClient) -> None:
        assert await self._post(client, {"count": 1}) == [
            {"field": "name", "message": "Field required"}
        ]

    async def test_too_short_is_a_generic_phrase(self, client: AsyncClient) -> None:
        errors = await self._post(client, {"name": "ab", "count": 1})
        assert errors == [{"field": "name", "message": "Too short"}]

    async def test_too_long(self, client: AsyncClient) -> None:
        errors = await self._post(client, {"name": "x" * 21, "count": 1})
        assert errors == [{"field": "name", "message": "Too long"}]

    async def test_out_of_range(self, client: AsyncClient) -> None:
        errors = await self._post(client, {"name": "abc", "count": 11})
        assert errors == [{"field": "count", "message": "Out of range"}]

    async def test_wrong_type(self, client: AsyncClient) -> None:
        errors = await self._post(client, {"name": "abc", "count": "many"})
        assert errors == [{"field": "count", "message": "Must be a number"}]

    async def test_bad_uuid(self, client: AsyncClient) -> None:
        errors = await self._post(client, {"name": "abc", "count": 1, "owner_id": "nope"})
        assert errors == [{"field": "owner_id", "message": "Invalid id"}]

    async def test_a_body_that_is_not_an_object(self, client: AsyncClient) -> None:
        errors = await self._post(client, [1, 2])
        assert errors == [{"field": "request", "message": "Invalid value"}]

    async def test_valid_body_is_accepted(self, client: AsyncClient) -> None:
        response = await client.post("/things", json={"name": "abc", "count": 1})
        assert response.status_code == 201
        assert uuid.UUID(response.json()["event_id"]).version == 4


class TestDatabaseOutage:
    async def test_an_unreachable_database_is_503_with_retry_after(
        self, make_settings: Callable[..., Settings]
    ) -> None:
        closed = free_port()
        settings = make_settings(database_url=f"mysql+asyncmy://root@127.0.0.1:{closed}/x")
        async with app_client(create_test_app(settings)) as client:
            response = await client.post("/things", json={"name": "abc", "count": 1})
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert response.json()["code"] == "LB-SYS-002"
        assert str(closed) not in response.text  # no connection details to the client
