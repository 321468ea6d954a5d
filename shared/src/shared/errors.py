"""One error envelope for every failure: `{"detail", "code", "request_id"}`."""

import re
import sys
from collections.abc import Mapping
from typing import Any, ClassVar

import msgspec
import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY, HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap
from sqlalchemy.exc import InterfaceError, OperationalError

from shared.db.deadlock import driver_error_number, is_deadlock, mark_deadlock
from shared.request_context import current_request_id

log = structlog.get_logger("shared.errors")
SERVER_ERROR = 500


class AppError(Exception):
    """An expected failure with its status and support code; keyword fields are logged only."""

    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "LB-API-400"
    detail: ClassVar[str] = "Bad request"

    def __init__(
        self, detail: str | None = None, *, headers: Mapping[str, str] | None = None, **fields: Any
    ) -> None:
        super().__init__(detail or self.detail)
        self.message = detail or self.detail
        self.headers = dict(headers or {})
        self.fields = fields
        self.details: dict[str, object] | None = None  # extra body, e.g. {"retryAfter": 60}


class MalformedBodyError(AppError):
    """A JSON body the decoder cannot read: nested too deep, or not UTF-8 inside a string."""

    code = "LB-API-400"
    detail = "Malformed JSON body"


class UnsupportedMediaTypeError(AppError):
    """A body sent to a JSON route under another media type (a form post, `text/plain`)."""

    status_code = 415
    code = "LB-API-415"
    detail = "The request body must be sent as application/json"


class ErrorResponse(msgspec.Struct):
    """The error envelope, for routes documenting an answer of their own (409, 429)."""

    detail: str | dict[str, Any]
    code: str
    request_id: str | None
    details: dict[str, Any] | None = None


def error_body(code: str, detail: object) -> dict[str, object]:
    """The standard error body, with the request id for support."""
    return {"detail": detail, "code": code, "request_id": current_request_id()}


def error_response(
    status: int, code: str, detail: object, headers: Mapping[str, str] | None = None
) -> Response[dict[str, object]]:
    """The standard error body as a response."""
    return Response(
        error_body(code, detail),
        status_code=status,
        media_type=MediaType.JSON,
        headers=dict(headers or {}),
    )


def documented_error(description: str) -> ResponseSpec:
    """An error answer of one route, in the envelope, for the API document."""
    return ResponseSpec(data_container=ErrorResponse, description=description)


_MISSING = re.compile(r"Object missing required field `(?P<name>[^`]+)`")
_AT = re.compile(r" - at `\$(?P<path>[^`]*)`")
# Generic phrases per kind (spec/auth.md §8): custom validator texts are never surfaced.
_PHRASES = (
    (re.compile(r"of length >="), "Too short"),
    (re.compile(r"of length <="), "Too long"),
    (re.compile(r"Expected `(int|float|decimal)` [<>]=?"), "Out of range"),
    (re.compile(r"Expected `(int|float|decimal|number)`"), "Must be a number"),
    (re.compile(r"Expected `bool`"), "Must be a boolean"),
    (re.compile(r"(?i)uuid"), "Invalid id"),
    (re.compile(r"(?i)(datetime|date|time)"), "Invalid date"),
)


def _dotted(path: str) -> str:
    return re.sub(r"\[(\d+)\]", r".\1", path).strip(".")


def field_errors(extra: object) -> list[dict[str, str]]:
    """Litestar/msgspec validation details as `[{field, message}]`."""
    items = extra if isinstance(extra, list) else []
    errors = []
    for item in items:
        message = str(item.get("message", "")) if isinstance(item, dict) else str(item)
        key = str(item.get("key", "")) if isinstance(item, dict) else ""
        if key == "data":  # the body itself: Litestar names the handler argument
            key = ""
        at = _AT.search(message)
        if at:
            key = _dotted(at.group("path"))
        missing = _MISSING.search(message)
        if missing:
            errors.append(
                {"field": _dotted(f"{key}.{missing.group('name')}"), "message": "Field required"}
            )
            continue
        phrase = next(
            (text for pattern, text in _PHRASES if pattern.search(message)), "Invalid value"
        )
        errors.append({"field": _dotted(key) or "request", "message": phrase})
    return errors or [{"field": "request", "message": "Invalid value"}]


def _app_error(_: Request[Any, Any, Any], exc: AppError) -> Response[dict[str, object]]:
    log.info("http.app_error", code=exc.code, status=exc.status_code, fields=exc.fields)
    response = error_response(exc.status_code, exc.code, exc.message, exc.headers)
    if exc.details is not None:
        response.content["details"] = exc.details
    return response


def _validation_error(
    _: Request[Any, Any, Any], exc: ValidationException
) -> Response[dict[str, object]]:
    return error_response(HTTP_422_UNPROCESSABLE_ENTITY, "LB-VAL-001", field_errors(exc.extra))


def _http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, object]]:
    if exc.status_code == SERVER_ERROR:
        return _unhandled(_, exc)
    # Other 5xx (503 with Retry-After) keep their status and headers, with a generic detail.
    detail = exc.detail if exc.status_code < SERVER_ERROR else "Service temporarily unavailable"
    return error_response(exc.status_code, f"LB-API-{exc.status_code}", detail, exc.headers)


def _database_unavailable(
    request: Request[Any, Any, Any], exc: OperationalError | InterfaceError
) -> Response[dict[str, object]]:
    # Unreachable, restarting or locked database: 503 makes the frontend retry after
    # Retry-After instead of signing the member out, as a 401 or 500 would.
    if is_deadlock(exc):
        # Rolled back whole: the request runs again (shared.db.deadlock) unless out of tries.
        mark_deadlock(request.scope)
        log.info("database.deadlock")
    else:
        # The driver's error number says which trouble it was; its message may quote data.
        error = type(exc.orig).__name__ if exc.orig else "-"
        log.warning("database.unavailable", error=error, code=driver_error_number(exc))
    return error_response(
        503, "LB-SYS-002", "Service temporarily unavailable, please retry", {"Retry-After": "5"}
    )


def _unhandled(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, object]]:
    log.error("http.unhandled_error", exc_info=exc)
    # The SDK is loaded only by a service that switched Sentry on (launcher.serve.init_sentry).
    sentry_sdk = sys.modules.get("sentry_sdk")
    if sentry_sdk is not None:
        sentry_sdk.capture_exception(exc)
    return error_response(HTTP_500_INTERNAL_SERVER_ERROR, "LB-SYS-001", "Internal server error")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    AppError: _app_error,
    ValidationException: _validation_error,
    OperationalError: _database_unavailable,
    InterfaceError: _database_unavailable,
    HTTPException: _http_error,
    Exception: _unhandled,
}
