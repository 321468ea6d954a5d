"""Route guards of the member area (§3.1, §3.2 "Permission" columns, OR-lists)."""

from typing import Any
from uuid import UUID

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.types import Guard

from shared.auth_errors import PermissionDeniedError
from shared.permissions import grants_any
from shared.principal import authenticate, requires

VIEW_ROSTER = requires("users.view", "members.view", "members.manage")
VIEW_DIRECTORY = requires("users.view", "members.manage")
CREATE_MEMBERS = requires("users.create")
MANAGE_MEMBERS = requires("members.manage")
# Legacy synonyms stay accepted on routes (§2.6).
ASSIGN_ROLES = requires(
    "users.update_positions",
    "members.assign_positions",
    "users.update_roles",
    "members.assign_roles",
)


async def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Any authenticated, active member."""
    await authenticate(connection)


def self_or(*permissions: str) -> Guard:
    """The member named by `{user_id}` themself, or a holder of any of `permissions`."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = await authenticate(connection)
        if _path_user(connection) == principal.user_id:
            return
        if not grants_any(principal.permissions, permissions):
            raise PermissionDeniedError

    return guard


def _path_user(connection: ASGIConnection[Any, Any, Any, Any]) -> UUID | None:
    try:
        return UUID(str(connection.path_params.get("user_id", "")))
    except ValueError:
        return None  # a malformed id is never the caller; the handler answers 422


SELF_OR_VIEWER = self_or("users.view", "members.view", "members.manage")
SELF_OR_EDITOR = self_or("users.edit", "members.manage")
SELF_OR_MANAGER = self_or("members.manage")
