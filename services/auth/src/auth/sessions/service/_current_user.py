"""The `CurrentUser` body of spec/auth.md §2.5, from a member and their organization."""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from functools import partial
from uuid import UUID

from auth.errors import SessionInvalidError
from auth.repository import MemberRepository
from auth.schemas import CurrentUser
from shared.db.types import utc_now
from shared.models import Organization, User
from shared.models.organization import DEFAULT_TIMEZONE
from shared.permissions import effective_permissions
from shared.principal import MemberCache, Principal
from shared.settings import Settings

PROFILE = "auth.current_user"
# A repository on a short session of its own: a cached load may serve several requests.
MemberReader = Callable[[], AbstractAsyncContextManager[MemberRepository]]


def password_expired(user: User, settings: Settings) -> bool:
    """Older than the maximum age (a reminder for the frontend; the server does not enforce it)."""
    max_age = settings.hipaa_maximum_password_age_days
    return bool(
        max_age
        and user.password_changed_at is not None
        and utc_now() - user.password_changed_at > timedelta(days=max_age)
    )


def current_user(user: User, organization: Organization | None, settings: Settings) -> CurrentUser:
    """The `CurrentUser` body; the member's roles must be loaded."""
    held = sorted(user.positions, key=lambda up: -up.position.priority)
    names = [up.position.name for up in held]
    mfa_required = bool(
        organization and organization.settings.get("security", {}).get("mfa_required")
    )
    return CurrentUser(
        id=str(user.id),
        organization_id=str(user.organization_id),
        username=user.username,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        full_name=user.full_name or None,
        timezone=organization.timezone if organization else DEFAULT_TIMEZONE,
        roles=names,
        positions=names,
        rank=user.rank,
        platoon=user.platoon,
        membership_type=user.membership_type,
        permissions=sorted(effective_permissions(user)),
        is_active=user.is_active,
        email_verified=user.email_verified,
        mfa_enabled=user.mfa_enabled,
        mfa_enrollment_required=mfa_required and not user.mfa_enabled,
        password_expired=password_expired(user, settings),
        must_change_password=user.must_change_password,
    )


class ProfileService:
    """The signed-in member's `CurrentUser`, kept a minute in this instance's member cache.

    Dropped with the member's facts: at once by this instance's own writes, and by auth, member,
    role and organization events; so `/auth/me` costs no SQL on most requests.
    """

    def __init__(self, readers: MemberReader, members: MemberCache, settings: Settings) -> None:
        self._readers = readers
        self._members = members
        self._settings = settings

    async def current_user(self, principal: Principal) -> CurrentUser:
        """The member's body; 401 if the member is gone."""
        body: CurrentUser | None = await self._members.remembered(
            principal.user_id, PROFILE, partial(self._load, principal.user_id)
        )
        if body is None:
            raise SessionInvalidError("member_inactive")
        return body

    async def _load(self, user_id: UUID) -> CurrentUser | None:
        async with self._readers() as members:
            user = await members.get_with_positions(user_id)
            if user is None:
                return None
            organization = await members.organization(user.organization_id)
            return current_user(user, organization, self._settings)
