"""Changing a member's profile, contact details, roles and photo (§3.1, §4 #1, #4, #6, #14)."""

import asyncio
from typing import Any
from uuid import UUID

import msgspec
from msgspec import UNSET

from api.members.photos import webp_data_uri
from api.members.schemas import (
    ContactInfoUpdate,
    MemberProfile,
    MemberRolesRead,
    MemberUpdate,
    Message,
    PhotoRead,
    RolesReplace,
)
from api.members.service._base import MemberServiceBase, clean
from api.members.views import member_profile, roles_of
from api.rules import ProposedChange
from shared.auth_errors import PermissionDeniedError
from shared.events.contracts.members import MemberRolesChanged, MemberUpdated
from shared.models import User
from shared.permissions import grants

# Profile fields only `members.manage` may change, even on the member's own profile.
OPERATIONAL_FIELDS = frozenset({"hire_date", "rank", "station", "platoon", "membership_number"})
# Names a member must have: blanks are trimmed, never turned into "no value".
_REQUIRED_NAMES = frozenset({"first_name", "last_name"})


class MemberEditing(MemberServiceBase):
    """The member service's profile, contact-info, role and photo changes."""

    async def update_profile(self, user_id: UUID, data: MemberUpdate) -> MemberProfile:
        """Apply the allow-listed fields; explicit null clears, absent keeps."""
        given = {
            name: getattr(data, name)
            for name in data.__struct_fields__
            if getattr(data, name) is not UNSET
        }
        if given.keys() & OPERATIONAL_FIELDS and not grants(
            self.principal.permissions, "members.manage"
        ):
            raise PermissionDeniedError
        user = await self._member(user_id, for_update=True)
        changes = {
            name: value
            for name, value in ((n, _normalized(n, v)) for n, v in given.items())
            if getattr(user, name) != value
        }
        await self._check_profile_change(user, changes)
        for name, value in changes.items():
            setattr(user, name, value)
        await self._write()
        if changes:
            is_self = self._is_self(user.id)
            await self.audit.record(
                "user_profile_updated",
                "user_management",
                updated_user_id=str(user.id),
                updated_by=str(self.principal.user_id),
                is_self_update=is_self,
                fields_updated=sorted(changes),
            )
            self._publish(updated_event(user, sorted(changes), is_self=is_self))
            if "rank" in changes:
                self.forget(user.id)
        return member_profile(user)

    async def _check_profile_change(self, user: User, changes: dict[str, Any]) -> None:
        if "rank" in changes:
            await self._refuse_rank_above_caller(changes["rank"])
            await self._keep_an_administrator(ProposedChange(ranks={user.id: changes["rank"]}))
        if changes.get("membership_number") is not None:
            await self._refuse_clashes(
                membership_number=changes["membership_number"], exclude=user.id
            )

    async def update_contact_info(self, user_id: UUID, data: ContactInfoUpdate) -> MemberProfile:
        """Email, phone, mobile and notification preferences; null keeps the stored value."""
        user = await self._member(user_id, for_update=True)
        changed: list[str] = []
        if data.email is not None and data.email != user.email:
            if data.email.lower() != user.email.lower():
                await self._refuse_clashes(email=data.email, exclude=user.id)
                user.email_verified = False  # the new address is not verified yet
            user.email = data.email
            changed.append("email")
        for name in ("phone", "mobile"):
            value = getattr(data, name)
            if value is not None and clean(value) != getattr(user, name):
                setattr(user, name, clean(value))
                changed.append(name)
        if data.notification_preferences is not None:
            given = msgspec.to_builtins(data.notification_preferences)  # UNSET keys are left out
            merged = {**(user.notification_preferences or {}), **given}
            if merged != user.notification_preferences:
                user.notification_preferences = merged
                changed.append("notification_preferences")
        await self._write()
        if changed:
            is_self = self._is_self(user.id)
            await self.audit.record(
                "user_updated",
                "user_management",
                updated_user_id=str(user.id),
                fields_updated=changed,
            )
            self._publish(updated_event(user, changed, is_self=is_self))
        return member_profile(user)

    async def replace_roles(self, user_id: UUID, data: RolesReplace) -> MemberRolesRead:
        """Replace the member's whole set of roles, within the caller's ceiling."""
        roles = await self._requested_roles(data.role_ids)
        user = await self._member(user_id, for_update=True)
        await self._refuse_roles_above_caller(roles)
        wanted = [role.id for role in roles]
        await self._keep_an_administrator(ProposedChange(role_ids={user.id: wanted}))
        current = [up.position_id for up in user.positions]
        added = [role_id for role_id in wanted if role_id not in current]
        removed = [role_id for role_id in current if role_id not in wanted]
        await self.members.set_roles(user, removed, added, self.principal.user_id)
        user = await self._member(user_id)
        await self.audit.record(
            "user_role_assigned",
            "user_management",
            target_user_id=str(user.id),
            role_ids=[str(role_id) for role_id in wanted],
            role_names=[role.name for role in roles],
            action="roles_replaced",
        )
        self._publish(
            MemberRolesChanged(
                user_id=str(user.id),
                role_ids_added=[str(i) for i in added],
                role_ids_removed=[str(i) for i in removed],
                role_ids=[str(i) for i in wanted],
            )
        )
        self.forget(user.id)
        return MemberRolesRead(
            user_id=user.id, username=user.username, full_name=user.full_name, roles=roles_of(user)
        )

    async def set_photo(self, user_id: UUID, content: bytes) -> PhotoRead:
        """Store the upload re-encoded as a WebP data URI."""
        user = await self._member(user_id, for_update=True)
        # Decoding a large image takes a while: off the event loop.
        user.photo_url = await asyncio.to_thread(webp_data_uri, content)
        await self._write()
        await self._record_photo(user.id, "user_photo_updated")
        self._publish(updated_event(user, ["photo_url"], is_self=self._is_self(user.id)))
        return PhotoRead(message="Photo updated", photo_url=user.photo_url)

    async def remove_photo(self, user_id: UUID) -> Message:
        """Clear the member's photo."""
        user = await self._member(user_id, for_update=True)
        user.photo_url = None
        await self._write()
        await self._record_photo(user.id, "user_photo_removed")
        self._publish(updated_event(user, ["photo_url"], is_self=self._is_self(user.id)))
        return Message(message="Photo removed")

    async def _record_photo(self, user_id: UUID, event_type: str) -> None:
        await self.audit.record(
            event_type,
            "user_management",
            target_user_id=str(user_id),
            is_self_update=self._is_self(user_id),
        )


def _normalized(name: str, value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() if name in _REQUIRED_NAMES else clean(value)
    if name == "emergency_contacts":
        return msgspec.to_builtins(value) if value is not None else None
    return value


def updated_event(user: User, changed: list[str], *, is_self: bool) -> MemberUpdated:
    """`member.updated` with the operational values and the login email."""
    return MemberUpdated(
        user_id=str(user.id),
        changed_fields=changed,
        is_self_update=is_self,
        rank=user.rank,
        station=user.station,
        platoon=user.platoon,
        membership_number=user.membership_number,
        hire_date=user.hire_date,
        email=user.email,
    )
