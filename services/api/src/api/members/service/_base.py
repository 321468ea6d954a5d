"""The member service's fields and the checks its topics share: the member, clashes, ceilings."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

from api.audit.trail import AuditTrail
from api.members.errors import (
    ArchivedMemberEmailError,
    DuplicateMemberError,
    HardDeleteBlockedError,
    InvalidRolesError,
    MemberNotFoundError,
)
from api.members.holdings_repository import HoldingsRepository
from api.members.passwords import AuthPasswords
from api.members.redaction import Visibility
from api.members.repository import (
    AuditHistoryRepository,
    MemberRepository,
    OrganizationRepository,
    RoleRepository,
)
from api.members.roster_cache import RosterCache
from api.roles.repository import RoleRepository as Administrators
from api.rules import ProposedChange, keep_an_administrator, missing_permissions, refuse_escalation
from shared.catalog.system_roles import rank_permissions
from shared.db.integrity import ClashError, ClashKind
from shared.events.envelope import EventData
from shared.events.outbox import Outbox
from shared.models import MemberStatus, Position, User
from shared.principal import Principal

# The field a unique key of `users` holds -> the 409 naming it (§4 #12).
DUPLICATE_DETAILS = {
    "username": "A member with this username already exists",
    "email": "A member with this email already exists",
    "membership_number_key": "A member with this membership number already exists",
}


@dataclass
class MemberServiceBase:
    """One request's caller, repositories, audit trail and outbox, all in its transaction."""

    principal: Principal
    members: MemberRepository
    roles: RoleRepository
    organization: OrganizationRepository
    audit_history: AuditHistoryRepository
    holdings: HoldingsRepository  # what members hold of the inventory
    administrators: Administrators  # who could still manage members after a change
    audit: AuditTrail
    outbox: Outbox
    rosters: RosterCache
    passwords: AuthPasswords
    forget: Callable[[UUID], None]  # drops the member from permission caches

    def _publish(self, data: EventData) -> None:
        """Queue an event in the request's transaction, on behalf of the caller."""
        self.outbox.add(
            data,
            organization_id=self.principal.organization_id,
            actor_id=self.principal.user_id,
        )

    def _is_self(self, user_id: UUID) -> bool:
        return user_id == self.principal.user_id

    async def _member(
        self, user_id: UUID, *, for_update: bool = False, include_deleted: bool = False
    ) -> User:
        """The member with their roles (404 when missing, deleted or foreign)."""
        if for_update:
            found = await self.members.get_for_update(user_id, include_deleted=include_deleted)
        else:
            found = await self.members.get_with_roles(user_id, include_deleted=include_deleted)
        if found is None:
            raise MemberNotFoundError(user_id=str(user_id))
        return found

    async def _write(self) -> None:
        """Write the staged changes; a unique key another member holds is the 409 naming it."""
        try:
            await self.members.flush()
        except ClashError as clash:
            if clash.kind is not ClashKind.UNIQUE:
                raise
            # A key of no known field keeps the error's general detail.
            raise DuplicateMemberError(DUPLICATE_DETAILS.get(clash.field or "")) from clash

    async def _remove(self, user: User) -> None:
        """Delete the member's row; 409 while records that must keep an owner point to it."""
        try:
            await self.members.delete(user)
        except ClashError as clash:
            if clash.kind not in (ClashKind.REFERENCED, ClashKind.FOREIGN_KEY):
                raise
            raise HardDeleteBlockedError from clash

    async def _refuse_clashes(
        self,
        *,
        username: str | None = None,
        email: str | None = None,
        membership_number: str | None = None,
        exclude: UUID | None = None,
    ) -> None:
        """409 naming the field another member (soft-deleted too) already holds (§4 #12)."""
        found = await self.members.clashes(
            username=username, email=email, membership_number=membership_number
        )
        others = [user for user in found if user.id != exclude]
        if email is not None:
            for user in others:
                if user.email_lower != email.lower():
                    continue
                if user.status is MemberStatus.ARCHIVED and user.deleted_at is None:
                    raise ArchivedMemberEmailError(archived_match(user))
                raise DuplicateMemberError(DUPLICATE_DETAILS["email"])
        if username is not None and any(u.username_lower == username.lower() for u in others):
            raise DuplicateMemberError(DUPLICATE_DETAILS["username"])
        if membership_number is not None and others:
            raise DuplicateMemberError(DUPLICATE_DETAILS["membership_number_key"])

    async def _requested_roles(self, role_ids: Sequence[UUID]) -> list[Position]:
        """The organization's roles with these ids; 400 naming any unknown or foreign id."""
        wanted = list(dict.fromkeys(role_ids))
        found = {role.id: role for role in await self.roles.get_many(wanted)}
        unknown = [str(role_id) for role_id in wanted if role_id not in found]
        if unknown:
            raise InvalidRolesError(f"Invalid role ids: {', '.join(unknown)}")
        return [found[role_id] for role_id in wanted]

    async def _visibility(self) -> Visibility:
        """The organization's contact visibility setting."""
        return Visibility.from_settings(await self.organization.settings())

    async def _refuse_roles_above_caller(self, roles: Iterable[Position]) -> None:
        """§4 #1: every permission of every requested role must be held by the caller."""
        for role in roles:
            missing = missing_permissions(self.principal.permissions, role.permissions)
            if missing:
                await refuse_escalation(self.audit, f"role:{role.id}", missing)

    async def _refuse_rank_above_caller(self, rank: str | None) -> None:
        """§4 #4: a rank grants permissions, so setting it needs all of them."""
        missing = missing_permissions(self.principal.permissions, rank_permissions(rank))
        if missing:
            await refuse_escalation(self.audit, f"rank:{rank}", missing)

    async def _keep_an_administrator(self, change: ProposedChange) -> None:
        """§4 #6: refuse a change that leaves nobody able to manage members."""
        await keep_an_administrator(self.administrators, change)


def clean(value: str | None) -> str | None:
    """Surrounding blanks dropped; an empty text means no value."""
    if value is None:
        return None
    return value.strip() or None


def archived_match(user: User) -> dict[str, str]:
    """The 409 detail pointing at an archived member to reactivate instead."""
    return {
        "message": (
            "A former member with this email address is archived. "
            "Reactivate them instead of creating a new account."
        ),
        "existing_user_id": str(user.id),
        "existing_member_name": user.full_name,
        "existing_status": user.status.value,
        "reactivate_url": f"/api/v1/users/{user.id}/reactivate",
    }
