"""Request id and access line for every HTTP request, 404s and 405s included."""

import re
import time
import uuid
from typing import Any

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from shared.metrics import ServiceMetrics

REQUEST_ID_HEADER = "x-request-id"
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
log = structlog.get_logger("shared.access")


def request_id_from(raw: str | None) -> str:
    """The gateway's id when well formed, else a fresh one (ids end up in logs: keep them tame)."""
    if raw is not None and REQUEST_ID_PATTERN.fullmatch(raw):
        return raw
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The request id bound to this context, if any."""
    value = structlog.contextvars.get_contextvars().get("req_id")
    return value if isinstance(value, str) else None


class RequestContextMiddleware:
    """Outermost ASGI layer: binds `req_id`, echoes it, writes one access line.

    It wraps Litestar's whole handler rather than being route middleware, because Litestar runs
    route middleware only for matched routes; unknown paths would lose their request id.
    """

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics | None = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        raw = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), None)
        req_id = request_id_from(raw)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(req_id=req_id)
        scope.setdefault("state", {})["req_id"] = req_id
        status: dict[str, Any] = {"code": 500}
        started = time.perf_counter()
        if self.metrics is not None:
            self.metrics.request_started(scope)

        async def send_with_id(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.accept"):
                status["code"] = message.get("status", 101)
                MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = req_id
            elif message["type"] == "websocket.close" and status["code"] == 500:  # noqa: PLR2004
                status["code"] = 403  # closed before it was accepted: refused
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            log.info(
                "http.request",
                method=scope.get("method", "WEBSOCKET"),
                path=scope["path"],
                status=status["code"],
                duration=round(elapsed * 1000, 2),
            )
            if self.metrics is not None:  # after routing: the scope names the route template
                self.metrics.request_finished(scope, status["code"], elapsed)
