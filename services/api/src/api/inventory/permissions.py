"""Route guards of the inventory area: `manage` does not imply `view` (spec inventory.md §1)."""

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from shared.principal import authenticate, requires

INVENTORY_VIEW = requires("inventory.view")
INVENTORY_MANAGE = requires("inventory.manage")


async def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Any authenticated, active member (the route decides what the caller may see)."""
    await authenticate(connection)
