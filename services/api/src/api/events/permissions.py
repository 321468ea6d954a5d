"""Route guards of the events area: any member, or `events.manage` (spec events.md §1)."""

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from shared.principal import authenticate, requires

MANAGE = "events.manage"
EVENTS_MANAGE = requires(MANAGE)


async def member(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Any authenticated, active member of the organization."""
    await authenticate(connection)
