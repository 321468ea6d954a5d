"""An administrator resets a member's password or MFA (spec/auth.md §2.11)."""

from collections.abc import Iterable
from uuid import UUID

import structlog

from auth.errors import (
    MemberNotFoundError,
    MfaStateError,
    OwnCredentialsError,
    PasswordRejectedError,
    PermissionDeniedError,
    TargetOutranksCallerError,
)
from auth.repository import MfaRepository, OrganizationMemberRepository
from auth.reset.service._writer import CredentialWriter
from shared.events.contracts.auth import MfaDisabled, PasswordChanged
from shared.models import User
from shared.permissions import effective_permissions, grants, grants_any
from shared.principal import Principal

log = structlog.get_logger("auth.reset")
CREDENTIAL_ADMIN_PERMISSIONS = ("users.create", "members.manage")


class CredentialAdminService:
    """An administrator resets a member's password or MFA (§2.11)."""

    def __init__(
        self,
        writer: CredentialWriter,
        targets: OrganizationMemberRepository,
        codes: MfaRepository,
        caller: Principal,
    ) -> None:
        self._writer = writer
        self._targets = targets
        self._codes = codes
        self._caller = caller

    async def reset_password(self, user_id: UUID, new: str, *, force_change: bool) -> None:
        """Set the member's password; by default they must change it at the next sign-in."""
        target = await self._target(user_id)
        rejected = await self._writer.rejection(target, new)
        if rejected is not None:
            raise PasswordRejectedError(rejected[1])
        await self._writer.replace(target, new, must_change=force_change)
        revoked = await self._writer.end_sessions(
            target, "admin_password_reset", self._caller.user_id
        )
        self._writer.events.publish(
            PasswordChanged(
                **self._writer.events.subject(target.id),
                method="admin",
                force_change=force_change,
                sessions_revoked=revoked,
            ),
            organization_id=target.organization_id,
            actor_id=self._caller.user_id,
        )
        log.info("auth.admin_password_reset", user_id=str(target.id), by=str(self._caller.user_id))

    async def reset_mfa(self, user_id: UUID) -> None:
        """Turn the member's MFA off, secret and recovery codes included."""
        target = await self._target(user_id)
        if not target.mfa_enabled:
            raise MfaStateError("Two-factor authentication is not enabled for this member")
        target.mfa_enabled, target.mfa_secret, target.mfa_last_timestep = False, None, None
        await self._codes.delete_recovery_codes(target.id)
        self._writer.memory.member_changed(target.id)
        await self._writer.end_sessions(target, "admin_mfa_reset", self._caller.user_id)
        self._writer.events.publish(
            MfaDisabled(**self._writer.events.subject(target.id), by_admin=True),
            organization_id=target.organization_id,
            actor_id=self._caller.user_id,
        )
        log.info("auth.admin_mfa_reset", user_id=str(target.id), by=str(self._caller.user_id))

    async def _target(self, user_id: UUID) -> User:
        held = self._caller.permissions
        if not grants_any(held, CREDENTIAL_ADMIN_PERMISSIONS):
            raise PermissionDeniedError
        if user_id == self._caller.user_id:
            raise OwnCredentialsError
        target = await self._targets.get_for_update(user_id)
        if target is None:
            raise MemberNotFoundError(user_id=str(user_id))
        if not _covers(held, effective_permissions(target)):
            raise TargetOutranksCallerError(user_id=str(user_id))
        return target


def _covers(held: frozenset[str], wanted: Iterable[str]) -> bool:
    return all(grants(held, permission) for permission in wanted)
