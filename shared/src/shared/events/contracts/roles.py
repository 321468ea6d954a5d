"""Role events the api publishes (spec/members-roles-organization.md §6).

Other instances drop the cached permissions of `affected_user_ids` when a role changes.
"""

from typing import ClassVar
from uuid import UUID

import msgspec

from shared.events.envelope import EventData


class RoleEvent(EventData, frozen=True, kw_only=True):
    """Fields every role event carries."""

    role_id: UUID
    slug: str
    name: str
    is_system: bool
    permissions: list[str]


class RoleCreated(RoleEvent, frozen=True, kw_only=True):
    """A custom role was created."""

    subject: ClassVar[str] = "logbook.api.role.created"


class RoleUpdated(RoleEvent, frozen=True, kw_only=True):
    """A role's name, description, priority or permissions changed."""

    subject: ClassVar[str] = "logbook.api.role.updated"
    previous_permissions: list[str]
    affected_user_ids: list[UUID] = msgspec.field(
        default_factory=list
    )  # holders whose permissions changed with the role


class RoleDeleted(RoleEvent, frozen=True, kw_only=True):
    """A custom role was deleted along with its assignments."""

    subject: ClassVar[str] = "logbook.api.role.deleted"
    affected_user_ids: list[UUID] = msgspec.field(default_factory=list)
