"""Bodies of the role routes (spec §3.3, §3.7)."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from shared.types import line, name, text

RoleName = Annotated[str, name(100)]
Description = Annotated[str, text(2000)]
PermissionName = Annotated[str, line(100, 1)]
Permissions = Annotated[list[PermissionName], Meta(max_length=500)]
Priority = Annotated[int, Meta(ge=0, le=100)]


class RoleCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new custom role; the slug is derived from the name, never sent (unknown keys: 422)."""

    name: RoleName
    description: Description | None = None
    permissions: Permissions = msgspec.field(default_factory=list)
    priority: Priority = 0


class RoleUpdate(msgspec.Struct):
    """A partial role edit; `null` for name, permissions or priority means "unchanged"."""

    name: RoleName | UnsetType | None = UNSET
    description: Description | UnsetType | None = UNSET  # null clears
    permissions: Permissions | UnsetType | None = UNSET
    priority: Priority | UnsetType | None = UNSET


class RoleRead(msgspec.Struct):
    """A role as the role editor and member pages show it."""

    id: UUID
    organization_id: UUID
    name: str
    slug: str
    description: str | None
    permissions: list[str]
    is_system: bool
    priority: int
    created_at: datetime
    updated_at: datetime


class RoleListItem(RoleRead):
    """A role with how many members hold it (null when not asked for)."""

    user_count: int | None = None


class PermissionRead(msgspec.Struct):
    """One grantable permission of the catalogue."""

    name: str
    description: str
    category: str


class PermissionCategoryRead(msgspec.Struct):
    """One category of the catalogue with its permissions, in display order."""

    category: str
    permissions: list[PermissionRead]
