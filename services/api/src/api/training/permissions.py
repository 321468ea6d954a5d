"""Route guards of the training area (spec training.md §1): any member, or an officer."""

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from shared.principal import authenticate, requires

MANAGE = "training.manage"
# Unlocks officer-only checklist steps and the officer view of My Training (§4.3, §4.4).
VIEW_ALL = "training.view_all"
TRAINING_MANAGE = requires(MANAGE)


async def member(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Any authenticated, active member of the organization."""
    await authenticate(connection)
