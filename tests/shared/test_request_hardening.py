"""Hostile requests against a service built with the shared factory (issue 10, F4 and F9): each
is answered in the error envelope, never with a 500 or a framework's plain text."""

from collections.abc import AsyncIterator, Callable
from typing import Annotated

import msgspec
import pytest
from httpx import AsyncClient
from litestar import Controller, Router, delete, get, post
from litestar.params import JSONBody

from shared.app import ServiceSpec, create_service_app
from shared.http_input import MAX_HEADER_BYTES, MAX_JSON_DEPTH
from shared.settings import Settings
from tests.support.client import app_client


class Note(msgspec.Struct):
    """A body with a string, a number, and anything else ignored."""

    title: Annotated[str, msgspec.Meta(max_length=50)]
    count: int = 0


class NoteWritingController(Controller):
    """Writes; the same path as the reading controller, as the member area splits its routes."""

    path = "/"

    @post("/", status_code=201)
    async def add_note(self, data: JSONBody[Note]) -> Note:
        """Echo the body."""
        return data

    @delete("/", status_code=204)
    async def clear_notes(self) -> None:
        """Nothing to clear."""


class NoteReadingController(Controller):
    """Reads."""

    path = "/"

    @get("/")
    async def list_notes(self) -> list[Note]:
        """Nothing stored."""
        return []


class Alarm(msgspec.Struct):
    """A switch inside a list."""

    armed: bool


class Switches(msgspec.Struct):
    """Booleans plain, optional, in a nested object and in a list; a number beside them."""

    enabled: bool
    sound: bool | None = None
    alarms: list[Alarm] = []
    volume: int = 0


@post("/switches", status_code=200)
async def set_switches(data: JSONBody[Switches]) -> Switches:
    """Echo the body."""
    return data


NOTES = Router(
    "/notes", route_handlers=[NoteReadingController, NoteWritingController, set_switches]
)


@pytest.fixture
async def client(make_settings: Callable[..., Settings]) -> AsyncIterator[AsyncClient]:
    spec = ServiceSpec(name="notes", route_handlers=[NOTES])
    async with app_client(create_service_app(spec, make_settings())) as test_client:
        yield test_client


async def post_raw(client: AsyncClient, body: bytes, content_type: str) -> dict[str, object]:
    response = await client.post(
        "/notes", content=body, headers={"Content-Type": content_type, "X-Request-ID": "rq"}
    )
    return {"status": response.status_code, **response.json()}


class TestUnreadableJson:
    async def test_nesting_deeper_than_the_decoder_goes_is_a_400(self, client: AsyncClient) -> None:
        deep = b'{"title": "x", "extra": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
        assert await post_raw(client, deep, "application/json") == {
            "status": 400,
            "detail": "Malformed JSON body",
            "code": "LB-API-400",
            "request_id": "rq",
        }

    async def test_nesting_deeper_than_a_json_column_takes_is_a_400(
        self, client: AsyncClient
    ) -> None:
        def body(depth: int) -> bytes:  # the body object is the first level
            inner = depth - 1
            return b'{"title": "x", "extra": ' + b"[" * inner + b"]" * inner + b"}"

        deep = await post_raw(client, body(MAX_JSON_DEPTH + 1), "application/json")
        assert (deep["status"], deep["detail"]) == (400, "Malformed JSON body")
        assert (await post_raw(client, body(MAX_JSON_DEPTH), "application/json"))["status"] == 201

    async def test_a_deep_bare_array_is_a_400(self, client: AsyncClient) -> None:
        answer = await post_raw(client, b"[" * 50_000, "application/json")
        assert (answer["status"], answer["code"]) == (400, "LB-API-400")

    async def test_invalid_utf8_inside_a_string_is_a_400(self, client: AsyncClient) -> None:
        answer = await post_raw(client, b'{"title": "ab\xff\xfecd"}', "application/json")
        assert (answer["status"], answer["code"]) == (400, "LB-API-400")
        assert answer["detail"] == "Malformed JSON body"


class TestMediaType:
    @pytest.mark.parametrize(
        "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
    )
    async def test_a_json_body_under_another_media_type_is_a_415(
        self, client: AsyncClient, content_type: str
    ) -> None:
        assert await post_raw(client, b'{"title": "x"}', content_type) == {
            "status": 415,
            "detail": "The request body must be sent as application/json",
            "code": "LB-API-415",
            "request_id": "rq",
        }

    async def test_a_missing_content_type_is_a_415(self, client: AsyncClient) -> None:
        response = await client.post("/notes", content=b'{"title": "x"}')
        assert response.status_code == 415
        assert response.json()["code"] == "LB-API-415"

    @pytest.mark.parametrize(
        "content_type",
        ["application/json", "application/json; charset=utf-8", "application/merge-patch+json"],
    )
    async def test_json_media_types_are_read(self, client: AsyncClient, content_type: str) -> None:
        answer = await post_raw(client, b'{"title": "x"}', content_type)
        assert answer == {"status": 201, "title": "x", "count": 0}


class TestHeaderLimit:
    async def test_headers_over_the_limit_are_a_431_in_the_envelope(
        self, client: AsyncClient
    ) -> None:
        response = await client.get(
            "/notes", headers={"X-Request-ID": "rq", "X-Padding": "a" * MAX_HEADER_BYTES}
        )
        assert response.status_code == 431
        assert response.headers["content-type"] == "application/json"
        assert response.headers["x-request-id"] == "rq"
        assert response.json() == {
            "detail": "Request headers too large",
            "code": "LB-API-431",
            "request_id": "rq",
        }

    async def test_headers_under_it_pass(self, client: AsyncClient) -> None:
        response = await client.get("/notes", headers={"X-Padding": "a" * 8_000})
        assert response.status_code == 200


class TestOptions:
    async def test_allow_lists_every_method_of_the_path(self, client: AsyncClient) -> None:
        response = await client.options("/notes")
        assert response.status_code == 204
        assert response.headers["allow"] == "DELETE, GET, OPTIONS, POST"

    async def test_an_unknown_path_is_still_a_404(self, client: AsyncClient) -> None:
        response = await client.options("/nothing-here")
        assert response.status_code == 404
        assert response.json()["code"] == "LB-API-404"


class TestBooleans:
    """Found by the fuzz run: `{"mfa_required": 1}` turned the MFA requirement on."""

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"enabled": 1}, "enabled"),
            ({"enabled": "true"}, "enabled"),
            ({"enabled": True, "sound": 0}, "sound"),
            ({"enabled": True, "alarms": [{"armed": True}, {"armed": 1}]}, "alarms.1.armed"),
        ],
    )
    async def test_a_switch_said_with_anything_but_true_or_false_is_422(
        self, client: AsyncClient, body: dict[str, object], field: str
    ) -> None:
        response = await client.post("/notes/switches", json=body)
        assert response.status_code == 422, response.text
        assert response.json()["detail"] == [{"field": field, "message": "Must be a boolean"}]

    async def test_real_booleans_and_numbers_as_text_pass(self, client: AsyncClient) -> None:
        body = {"enabled": False, "sound": None, "alarms": [{"armed": True}], "volume": "3"}
        response = await client.post("/notes/switches", json=body)
        assert response.status_code == 200, response.text
        assert response.json() == {**body, "volume": 3}
