"""Role rules: slugs, the permission catalogue, ceilings, system roles, the last administrator."""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypedDict
from uuid import UUID

from api.audit.trail import AuditTrail
from api.roles.errors import (
    InvalidPermissionsError,
    RoleNotFoundError,
    SlugExhaustedError,
    SystemRoleDeleteError,
)
from api.roles.repository import RoleRepository
from api.roles.schemas import RoleCreate, RoleUpdate
from api.rules import ProposedChange, keep_an_administrator, missing_permissions, refuse_escalation
from shared.catalog.permissions import unknown_permissions
from shared.db.integrity import ClashError
from shared.events.contracts.roles import RoleCreated, RoleDeleted, RoleUpdated
from shared.events.outbox import Outbox
from shared.models import Position
from shared.principal import Principal

SLUG_MAX = 100
SLUG_ATTEMPTS = 5
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slug_base(name: str) -> str:
    """Lowercase, runs of non-alphanumerics as `_`, trimmed (`role` if nothing is left)."""
    return _NON_ALNUM.sub("_", name.lower()).strip("_")[:SLUG_MAX] or "role"


def free_slug(base: str, taken: set[str]) -> str:
    """`base`, else `base_2`, `base_3`… (cut so the suffix fits), the first not taken."""
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"_{number}"
        candidate = base[: SLUG_MAX - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        number += 1


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


@dataclass
class RoleService:
    """Role management for one caller."""

    roles: RoleRepository
    audit: AuditTrail
    outbox: Outbox
    principal: Principal
    # Drops the members from this instance's permission cache once the change commits.
    forget_after_commit: Callable[[Iterable[UUID]], None]

    async def list_roles(self, *, with_counts: bool) -> list[tuple[Position, int | None]]:
        """Every role of the organization, optionally with its holder count."""
        if with_counts:
            return list(await self.roles.list_with_user_counts())
        return [(role, None) for role in await self.roles.list_ordered()]

    async def create(self, request: RoleCreate) -> Position:
        """A new custom role within the caller's ceiling (§4 #2, #17)."""
        permissions = _unique(request.permissions)
        await self._check_grantable(permissions, target_prefix="permission")
        role = Position(
            organization_id=self.principal.organization_id,
            name=request.name.strip(),
            description=request.description,
            permissions=permissions,
            is_system=False,
            priority=request.priority,
        )
        await self._insert_with_free_slug(role)
        await self.audit.record(
            "role_created",
            "access_control",
            "warning",
            role_id=str(role.id),
            role_name=role.name,
            role_slug=role.slug,
            permissions=role.permissions,
        )
        self._publish(RoleCreated(**_facts(role)))
        return role

    async def update(self, role_id: UUID, request: RoleUpdate) -> Position:
        """Edit a role; system roles keep their name and priority (§4 #3, #6, #16)."""
        role = await self.roles.get_for_update(role_id)
        if role is None:
            raise RoleNotFoundError
        previous = list(role.permissions)
        wanted = request.permissions if isinstance(request.permissions, list) else None
        if wanted is not None:
            wanted = _unique(wanted)
            await self._check_grantable(wanted, target_prefix=f"role:{role.id}")
            await self._check_editable(role)
            if set(wanted) != set(previous):
                await keep_an_administrator(
                    self.roles, ProposedChange(role_permissions={role.id: wanted})
                )
        changes = self._apply(role, request, wanted)
        if not changes:
            return role
        await self.roles.flush()
        holders = await self._follow_permission_change(role, previous)
        await self.audit.record(
            "role_updated",
            "access_control",
            "warning",
            role_id=str(role.id),
            role_name=role.name,
            role_slug=role.slug,
            changes=changes,
        )
        self._publish(
            RoleUpdated(**_facts(role), previous_permissions=previous, affected_user_ids=holders)
        )
        return role

    async def delete(self, role_id: UUID) -> None:
        """Delete a custom role and its assignments (§4 #6, #16)."""
        role = await self.roles.get_for_update(role_id)
        if role is None:
            raise RoleNotFoundError
        if role.is_system:
            raise SystemRoleDeleteError
        await keep_an_administrator(self.roles, ProposedChange(deleted_roles=frozenset({role.id})))
        holders = await self.roles.holder_ids(role.id)
        facts = _facts(role)
        await self.roles.delete(role)
        self.forget_after_commit(holders)
        await self.audit.record(
            "role_deleted",
            "access_control",
            "warning",
            role_id=str(role_id),
            role_name=facts["name"],
            role_slug=facts["slug"],
            permissions=facts["permissions"],
            affected_user_count=len(holders),
        )
        self._publish(RoleDeleted(**facts, affected_user_ids=holders))

    async def _check_grantable(self, permissions: list[str], *, target_prefix: str) -> None:
        """400 for names outside the catalogue, 403 for any the caller does not hold."""
        unknown = unknown_permissions(permissions)
        if unknown:
            raise InvalidPermissionsError(f"Invalid permissions: {', '.join(unknown)}")
        missing = missing_permissions(self.principal.permissions, permissions)
        if missing:
            target = (
                target_prefix if target_prefix.startswith("role:") else f"permission:{missing[0]}"
            )
            await refuse_escalation(self.audit, target, missing)

    async def _check_editable(self, role: Position) -> None:
        """The edit ceiling: the caller must hold everything the role grants now (§4 #3)."""
        missing = missing_permissions(self.principal.permissions, role.permissions)
        if missing:
            await refuse_escalation(self.audit, f"role:{role.id}", missing)

    def _apply(
        self, role: Position, request: RoleUpdate, permissions: list[str] | None
    ) -> dict[str, object]:
        """Set the changed fields; what changed, for the audit entry (never silently 4xx)."""
        changes: dict[str, object] = {}
        if not role.is_system:  # a system role's name and priority stay as seeded
            if isinstance(request.name, str) and request.name.strip() != role.name:
                changes["name"] = {"from": role.name, "to": request.name.strip()}
                role.name = request.name.strip()
            if isinstance(request.priority, int) and request.priority != role.priority:
                changes["priority"] = {"from": role.priority, "to": request.priority}
                role.priority = request.priority
        if (
            request.description is None or isinstance(request.description, str)
        ) and request.description != role.description:
            changes["description"] = True
            role.description = request.description
        if permissions is not None and permissions != role.permissions:
            changes["permissions_changed"] = {
                "added": [p for p in permissions if p not in role.permissions],
                "removed": [p for p in role.permissions if p not in permissions],
            }
            role.permissions = permissions
        return changes

    async def _follow_permission_change(self, role: Position, previous: list[str]) -> list[UUID]:
        """Holders whose permissions changed; this instance forgets them once committed."""
        if set(role.permissions) == set(previous):
            return []
        holders = await self.roles.holder_ids(role.id)
        self.forget_after_commit(holders)
        return holders

    async def _insert_with_free_slug(self, role: Position) -> None:
        """Give the role the first free slug; retry when a concurrent create takes it."""
        base = slug_base(role.name)
        for _ in range(SLUG_ATTEMPTS):
            role.slug = free_slug(base, await self.roles.slugs())
            try:
                await self.roles.add(role)
            except ClashError as clash:
                if clash.field != "slug":
                    raise
                continue  # a concurrent create took the slug
            return
        raise SlugExhaustedError

    def _publish(self, data: RoleCreated | RoleUpdated | RoleDeleted) -> None:
        self.outbox.add(
            data, organization_id=self.principal.organization_id, actor_id=self.principal.user_id
        )


class _RoleFacts(TypedDict):
    """The fields every role event carries."""

    role_id: UUID
    slug: str
    name: str
    is_system: bool
    permissions: list[str]


def _facts(role: Position) -> _RoleFacts:
    return _RoleFacts(
        role_id=role.id,
        slug=role.slug,
        name=role.name,
        is_system=role.is_system,
        permissions=list(role.permissions),
    )
