"""What a service refuses before a handler reads a request, and its answer to OPTIONS.

Unreadable JSON is a 400 and a body under another media type a 415 (on routes that read JSON),
oversized headers a 431: all in the error envelope, never a 500 or a framework's plain text.
"""

import functools
from collections.abc import Iterator
from typing import Any

import msgspec
import msgspec.inspect as mi
import structlog
from litestar import MediaType, Request, Response
from litestar.datastructures import State
from litestar.enums import ScopeType
from litestar.exceptions import ValidationException
from litestar.status_codes import HTTP_204_NO_CONTENT
from litestar.types import (
    ASGIApp,
    BeforeRequestHookHandler,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Receive,
    Scope,
    Send,
)

from shared.errors import MalformedBodyError, UnsupportedMediaTypeError, error_body

# Request headers a service reads (names and values): what browsers send with our cookies many
# times over. The gateway reads more before giving up, so that larger ones get this JSON 431.
MAX_HEADER_BYTES = 32 * 1024
# JSON bodies nested deeper are refused: MariaDB's JSON columns refuse documents nested more
# than 32 levels (their JSON_VALID check, a 503 once the row is written), and no form of ours
# nests a tenth as deep. One limit here covers every free-form document a body may carry.
MAX_JSON_DEPTH = 32
log = structlog.get_logger("shared.http_input")


class JsonRequest(Request[Any, Any, State]):
    """A request whose JSON body is refused in the envelope when it cannot be read as JSON."""

    async def json(self) -> Any:
        """The decoded body of a JSON route: 415 under another media type, 400 when unreadable."""
        media_type, _ = self.content_type
        # Checked only where a route reads JSON: a form post or `text/plain` body would otherwise
        # pass as JSON, and a cross-site form can send those without a CORS preflight.
        if await self.body() and not _is_json(media_type):
            raise UnsupportedMediaTypeError(media_type=media_type[:100])
        try:
            decoded = await super().json()
        except (RecursionError, UnicodeDecodeError) as exc:
            # msgspec raises these (not a DecodeError) for deep nesting and bad UTF-8 in strings.
            raise MalformedBodyError(reason=type(exc).__name__) from exc
        if _deeper_than(decoded, MAX_JSON_DEPTH):
            raise MalformedBodyError(reason="too_deep")
        body = self.route_handler.parsed_data_field
        if body is not None:
            refuse_non_booleans(decoded, body.annotation)
        return decoded


def _deeper_than(decoded: Any, limit: int) -> bool:
    """Whether objects and lists nest more than `limit` levels (the body itself is one)."""
    level = [decoded] if isinstance(decoded, (dict, list)) else []
    for _ in range(limit):
        level = [
            child
            for value in level
            for child in (value.values() if isinstance(value, dict) else value)
            if isinstance(child, (dict, list))
        ]
        if not level:
            return False
    return True


def refuse_non_booleans(decoded: Any, annotation: Any) -> None:
    """A 422 for `0`, `1` or `"true"` where the body's type holds a boolean.

    Litestar converts bodies leniently, which suits numbers and dates sent as text but would
    read `{"mfa_required": 1}` as a yes: a switch must be said with `true` or `false`.
    """
    try:
        info = _type_info(annotation)
    except (TypeError, ValueError):  # not a type msgspec knows: Litestar's own check applies
        return
    found = dict(_non_booleans(decoded, info, "$"))  # by path: union members may repeat one
    errors = [
        {"key": "data", "message": f"Expected `bool`, got `{type(value).__name__}` - at `{at}`"}
        for at, value in found.items()
    ]
    if errors:
        raise ValidationException(extra=errors)


@functools.cache
def _type_info(annotation: Any) -> mi.Type:
    return mi.type_info(annotation)


def _non_booleans(value: Any, info: mi.Type, at: str) -> Iterator[tuple[str, Any]]:
    while isinstance(info, mi.Metadata):
        info = info.type
    if isinstance(info, mi.BoolType):
        if not isinstance(value, bool):
            yield at, value
    elif isinstance(info, mi.UnionType):
        yield from _union_non_booleans(value, info, at)
    else:
        for inner, inner_info, inner_at in _children(value, info, at):
            yield from _non_booleans(inner, inner_info, inner_at)


def _children(value: Any, info: mi.Type, at: str) -> Iterator[tuple[Any, mi.Type, str]]:
    """The values inside a JSON object or array, with the type each must have."""
    if isinstance(info, mi.StructType | mi.TypedDictType | mi.DataclassType):
        if isinstance(value, dict):
            for field in info.fields:
                if field.encode_name in value:
                    yield value[field.encode_name], field.type, f"{at}.{field.encode_name}"
    elif isinstance(info, mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType):
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield item, info.item_type, f"{at}[{index}]"
    elif isinstance(info, mi.DictType) and isinstance(value, dict):
        for key, item in value.items():
            yield item, info.value_type, f"{at}.{key}"


def _union_non_booleans(value: Any, info: mi.UnionType, at: str) -> Iterator[tuple[str, Any]]:
    members = [t.type if isinstance(t, mi.Metadata) else t for t in info.types]
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, dict | list):
        for member in members:  # a member of another shape has no children for this value
            yield from _non_booleans(value, member, at)
        return
    takes_it = any(not isinstance(m, mi.BoolType | mi.NoneType) for m in members)
    if any(isinstance(m, mi.BoolType) for m in members) and not takes_it:
        yield at, value


def _is_json(media_type: str) -> bool:
    return media_type == MediaType.JSON or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


class HeaderLimit:
    """ASGI layer answering 431 in the envelope when the request's headers are too large."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            size = sum(len(name) + len(value) for name, value in scope["headers"])
            if size > MAX_HEADER_BYTES:
                log.info("http.headers_too_large", size=size)
                await _send_error(send, 431, "LB-API-431", "Request headers too large")
                return
        await self.app(scope, receive, send)


async def _send_error(send: Send, status: int, code: str, detail: str) -> None:
    body = msgspec.json.encode(error_body(code, detail))
    headers = [
        (b"content-type", MediaType.JSON.value.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": status,
        "headers": headers,
    }
    content: HTTPResponseBodyEvent = {
        "type": "http.response.body",
        "body": body,
        "more_body": False,
    }
    await send(start)
    await send(content)


def options_answer(app_routes: dict[str, str]) -> BeforeRequestHookHandler:
    """A before-request hook answering OPTIONS with every method of the path.

    Litestar builds a path's OPTIONS handler with its first route handler, and keeps it when
    handlers for other methods of the same path are added: its Allow would list only those
    first methods. `app_routes` maps each path template to all of its methods.
    """

    # Async: a plain function would be run in a worker thread, on every request of every route.
    async def answer(request: Request[Any, Any, State]) -> Response[None] | None:
        if request.method != "OPTIONS":
            return None
        allowed = app_routes.get(request.scope.get("path_template", ""))
        if allowed is None:
            return None
        return Response(
            None,
            status_code=HTTP_204_NO_CONTENT,
            headers={"Allow": allowed},
            media_type=MediaType.TEXT,
        )

    return answer
