"""Adding a member (§4 #1, #4, #12, #13): ceilings, duplicates, number, password, `member` role."""

from typing import Any
from uuid import UUID

import msgspec

from api.members.schemas import MemberCreate, MemberWithRoles
from api.members.service._base import MemberServiceBase, clean
from api.members.views import member_with_roles
from shared.db.types import utc_now
from shared.events.contracts.members import MemberCreated
from shared.models import MemberStatus, Position, User, UserPosition

MEMBER_ROLE = "member"
NUMBER_WIDTH = 4
NUMBER_BATCH = 50  # candidate numbers checked per query when skipping numbers in use


class MemberCreation(MemberServiceBase):
    """The member service's `POST /users`."""

    async def create(self, data: MemberCreate) -> MemberWithRoles:
        """Create the member, who must change the password at first sign-in."""
        roles = await self._requested_roles(data.role_ids)
        await self._refuse_roles_above_caller(roles)
        rank = clean(data.rank)
        if rank is not None:
            await self._refuse_rank_above_caller(rank)
        number = clean(data.membership_number)
        await self._refuse_clashes(
            username=data.username, email=data.email, membership_number=number
        )
        if number is None:
            number = await self._next_membership_number()
        password_hash = None
        if data.password is not None:
            password_hash = await self.passwords.hash_new_password(data.password)
        user = _new_member(data, self.principal.organization_id, number, rank, password_hash)
        granted = _unique([*roles, await self.roles.system_role(MEMBER_ROLE)])
        assigned_by = self.principal.user_id
        user.positions = [UserPosition(position=role, assigned_by=assigned_by) for role in granted]
        self.members.add(user)
        await self._write()
        await self._record(user, granted, data.send_welcome_email)
        return member_with_roles(user)

    async def _next_membership_number(self) -> str | None:
        """Prefix + number padded to 4, skipping numbers in use, under the organization's lock."""
        organization = await self.organization.get_for_update()
        settings = dict(organization.settings or {}) if organization else {}
        config = settings.get("membership_id")
        if not isinstance(config, dict) or not (
            config.get("enabled") and config.get("auto_generate")
        ):
            return None
        prefix = str(config.get("prefix") or "")
        start = max(_as_int(config.get("next_number")), 1)
        while True:
            candidates = {
                f"{prefix}{n:0{NUMBER_WIDTH}d}": n for n in range(start, start + NUMBER_BATCH)
            }
            taken = await self.members.numbers_taken(list(candidates))
            free = [(text, n) for text, n in candidates.items() if text.lower() not in taken]
            if free:
                number, used = free[0]
                break
            start += NUMBER_BATCH
        # A new document, so the JSON column registers the change.
        settings["membership_id"] = {**config, "next_number": used + 1}
        if organization is not None:
            organization.settings = settings
        return number

    async def _record(self, user: User, roles: list[Position], send_welcome_email: bool) -> None:
        await self.audit.record(
            "user_created",
            "user_management",
            new_user_id=str(user.id),
            username=user.username,
            email=user.email,
            roles_assigned=[role.slug for role in roles],
        )
        self._publish(
            MemberCreated(
                user_id=str(user.id),
                username=user.username,
                email=user.email,
                first_name=user.first_name or "",
                last_name=user.last_name or "",
                membership_number=user.membership_number,
                rank=user.rank,
                station=user.station,
                platoon=user.platoon,
                status=user.status.value,
                membership_type=user.membership_type,
                role_ids=[str(role.id) for role in roles],
                must_change_password=user.must_change_password,
                send_welcome_email=send_welcome_email,
            )
        )


def _new_member(
    data: MemberCreate,
    organization_id: UUID,
    number: str | None,
    rank: str | None,
    password_hash: str | None,
) -> User:
    now = utc_now()
    return User(
        organization_id=organization_id,
        username=data.username,
        email=data.email,
        first_name=data.first_name.strip(),
        middle_name=clean(data.middle_name),
        last_name=data.last_name.strip(),
        membership_number=number,
        phone=clean(data.phone),
        mobile=clean(data.mobile),
        date_of_birth=data.date_of_birth,
        hire_date=data.hire_date,
        rank=rank,
        station=clean(data.station),
        platoon=clean(data.platoon),
        address_street=clean(data.address_street),
        address_city=clean(data.address_city),
        address_state=clean(data.address_state),
        address_zip=clean(data.address_zip),
        address_country=clean(data.address_country),
        emergency_contacts=msgspec.to_builtins(data.emergency_contacts),
        status=MemberStatus.ACTIVE,
        membership_type="active",
        compliance_exempt=False,
        password_hash=password_hash,
        password_changed_at=now if password_hash else None,
        must_change_password=True,
        email_verified=False,
        mfa_enabled=False,
        failed_login_attempts=0,
        created_at=now,
        updated_at=now,
    )


def _unique(roles: list[Position]) -> list[Position]:
    return list({role.id: role for role in roles}.values())


def _as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1
