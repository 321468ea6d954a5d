"""Double-submit CSRF check on state-changing HTTP requests (spec/auth.md §3.3)."""

import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from shared.errors import AppError

CSRF_COOKIE = "csrf_token"
ACCESS_COOKIE = "access_token"
CSRF_HEADER = "x-csrf-token"
CHECKED_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CsrfTokenMissingError(AppError):
    """A cookie-authenticated request came without its CSRF cookie."""

    status_code = 403
    code = "LB-AUTH-008"
    detail = "CSRF token missing"


class CsrfTokenMismatchError(AppError):
    """The `X-CSRF-Token` header is absent or differs from the `csrf_token` cookie."""

    status_code = 403
    code = "LB-AUTH-009"
    detail = "CSRF token invalid"


def is_exempt_path(path: str) -> bool:
    """Onboarding routes have their own token scheme."""
    return "/onboarding/" in path or path.endswith("/onboarding")


def check_csrf(cookies: dict[str, str], header: str | None) -> None:
    """Raise unless the header echoes the CSRF cookie; cookie-less requests pass (bearer, login)."""
    cookie = cookies.get(CSRF_COOKIE)
    if cookie is None:
        if ACCESS_COOKIE in cookies:
            raise CsrfTokenMissingError
        return
    # Never log either value; compare bytes so non-ASCII input cannot raise a TypeError.
    # An empty cookie proves nothing: it would match an empty or missing-value header.
    if not cookie or header is None or not hmac.compare_digest(header.encode(), cookie.encode()):
        raise CsrfTokenMismatchError


class CsrfMiddleware(ASGIMiddleware):
    """Route middleware: runs inside the exception handlers, so its errors get the envelope."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Check POST/PUT/PATCH/DELETE outside onboarding, then pass the request on."""
        if (
            scope["type"] == ScopeType.HTTP
            and scope["method"] in CHECKED_METHODS
            and not is_exempt_path(scope["path"])
        ):
            connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
            check_csrf(connection.cookies, connection.headers.get(CSRF_HEADER))
        await next_app(scope, receive, send)
