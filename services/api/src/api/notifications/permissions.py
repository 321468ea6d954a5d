"""Route guards of the notifications area (app-shell spec §2.2-§2.3, OR-lists)."""

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from shared.principal import authenticate, requires

VIEW = requires("notifications.view", "notifications.manage")
MANAGE = requires("notifications.manage")


async def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Any authenticated, active member (routes that read nothing of the caller)."""
    await authenticate(connection)
