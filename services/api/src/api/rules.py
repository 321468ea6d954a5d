"""The privilege ceilings and the last-administrator rule of spec §4 #1-6, shared by every area.

A ceiling violation is 403, changes nothing, and leaves a CRITICAL audit entry and a
`security.privilege_escalation_blocked` event. The audit entry and event are written in their
own transaction, since the refused request's transaction rolls back.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NoReturn
from uuid import UUID

from api.audit.trail import AuditTrail
from api.roles.repository import RoleRepository
from shared.catalog.system_roles import rank_permissions
from shared.errors import AppError
from shared.events.contracts.security import PrivilegeEscalationBlocked
from shared.permissions import grants

ADMIN_PERMISSION = "members.manage"


class PrivilegeCeilingError(AppError):
    """The request would hand out or reach permissions the caller does not hold."""

    status_code = 403
    code = "LB-PERM-001"
    detail = "Insufficient permissions"


class LastAdministratorError(AppError):
    """The change would leave the organization without anyone who can manage members."""

    status_code = 400
    code = "LB-API-400"
    detail = (
        "This change would leave the organization without an administrator. "
        "Grant members.manage to another active member first."
    )


def missing_permissions(held: Iterable[str], wanted: Iterable[str]) -> list[str]:
    """Which of `wanted` the caller does not hold (wildcards need the same or a wider one)."""
    held_set = frozenset(held)
    missing = []
    for name in wanted:
        if name == "*":
            ok = "*" in held_set
        elif name.endswith(".*"):
            ok = "*" in held_set or name in held_set
        else:
            ok = grants(held_set, name)
        if not ok:
            missing.append(name)
    return missing


@dataclass
class ProposedChange:
    """What a request would change, to judge the last-administrator rule on the result."""

    role_ids: Mapping[UUID, list[UUID]] = field(default_factory=dict)  # user -> new role set
    role_permissions: Mapping[UUID, list[str]] = field(default_factory=dict)  # role -> new list
    deleted_roles: frozenset[UUID] = frozenset()
    ranks: Mapping[UUID, str | None] = field(default_factory=dict)  # user -> new rank
    leaving: frozenset[UUID] = frozenset()  # users who stop being active or are deleted


async def administrators_after(repository: RoleRepository, change: ProposedChange) -> int:
    """How many active members could still manage members once `change` applied."""
    members = await repository.active_members_with_roles()
    roles = await repository.permissions_by_role()
    count = 0
    for member in members:
        if member.id in change.leaving:
            continue
        role_ids = change.role_ids.get(member.id, [up.position_id for up in member.positions])
        held: set[str] = set()
        for role_id in role_ids:
            if role_id not in change.deleted_roles:
                held.update(change.role_permissions.get(role_id, roles.get(role_id, [])))
        rank = change.ranks.get(member.id, member.rank)
        held.update(rank_permissions(rank))
        if grants(held, ADMIN_PERMISSION):
            count += 1
    return count


async def keep_an_administrator(roles: RoleRepository, change: ProposedChange) -> None:
    """Refuse (400) a change that leaves nobody able to manage members."""
    if await administrators_after(roles, change) == 0:
        raise LastAdministratorError


async def refuse_escalation(audit: AuditTrail, target: str, missing: list[str]) -> NoReturn:
    """Record the blocked attempt (CRITICAL entry and event) apart, then answer 403.

    Call it before the request writes anything (see `AuditTrail.record_apart`); the request's
    own transaction then rolls back.
    """
    await audit.record_apart(
        "privilege_escalation_blocked",
        "security",
        "critical",
        PrivilegeEscalationBlocked(target=target, ip=audit.ip_address),
        target=target,
        missing_permissions=missing,
    )
    raise PrivilegeCeilingError(
        detail=f"You cannot grant permissions you do not hold: {', '.join(missing)}"
    )
