"""Routes under /api/v1/roles (spec §3.3)."""

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from api.deps import COMMON_DEPENDENCIES
from api.roles.deps import provide_role_service
from api.roles.schemas import (
    PermissionCategoryRead,
    PermissionRead,
    RoleCreate,
    RoleListItem,
    RoleRead,
    RoleUpdate,
)
from api.roles.service import RoleService
from shared.catalog.permissions import CATEGORIES
from shared.errors import documented_error
from shared.principal import Principal, requires

# The catalogue never changes while the process runs: build its answer once.
BY_CATEGORY = [
    PermissionCategoryRead(
        category=category,
        permissions=[PermissionRead(p.name, p.description, p.category) for p in infos],
    )
    for category, infos in CATEGORIES.items()
]


class RoleController(Controller):
    """Roles (positions) and the permission catalogue."""

    path = "/api/v1/roles"
    tags = ["roles"]
    dependencies = {
        **COMMON_DEPENDENCIES,
        "roles": Provide(provide_role_service, sync_to_thread=False),
    }

    @get("/permissions/by-category")
    async def permissions_by_category(
        self,
        principal: NamedDependency[Principal],  # noqa: ARG002 - any signed-in member may read it
    ) -> list[PermissionCategoryRead]:
        """The permission catalogue by category, in the role editor's order."""
        return BY_CATEGORY

    @get("/", guards=[requires("positions.view")])
    async def list_roles(
        self,
        roles: NamedDependency[RoleService],
        include_user_count: Annotated[bool, QueryParameter(description="Count holders")] = True,
    ) -> list[RoleListItem]:
        """Every role, most senior first, with how many members hold it."""
        listed = await roles.list_roles(with_counts=include_user_count)
        return [
            msgspec.structs.replace(
                msgspec.convert(role, RoleListItem, from_attributes=True), user_count=count
            )
            for role, count in listed
        ]

    @post(
        "/",
        status_code=201,
        guards=[requires("positions.create", "positions.manage_permissions")],
        responses={409: documented_error("A role of that name was created at the same time")},
    )
    async def create_role(
        self, data: JSONBody[RoleCreate], roles: NamedDependency[RoleService]
    ) -> RoleRead:
        """Create a custom role; its slug comes from the name."""
        return msgspec.convert(await roles.create(data), RoleRead, from_attributes=True)

    @patch(
        "/{role_id:str}",
        guards=[requires("positions.edit", "positions.update", "positions.manage_permissions")],
    )
    async def update_role(
        self,
        role_id: FromPath[UUID],
        data: JSONBody[RoleUpdate],
        roles: NamedDependency[RoleService],
    ) -> RoleRead:
        """Edit a role; a system role keeps its name and priority."""
        return msgspec.convert(await roles.update(role_id, data), RoleRead, from_attributes=True)

    @delete(
        "/{role_id:str}",
        status_code=204,
        guards=[requires("positions.delete", "positions.manage_permissions")],
    )
    async def delete_role(
        self, role_id: FromPath[UUID], roles: NamedDependency[RoleService]
    ) -> None:
        """Delete a custom role and its assignments."""
        await roles.delete(role_id)
