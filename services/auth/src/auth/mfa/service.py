"""Two-factor sign-in and its management (spec/auth.md §2.2, §2.10)."""

import asyncio
import hashlib
import hmac
import secrets
import time

import pyotp
import structlog

from auth.context import AuthEvents, EventSubject, InstanceMemory
from auth.errors import (
    MfaChallengeInvalidError,
    MfaCodeInvalidError,
    MfaLoginCodeInvalidError,
    MfaStateError,
    OrganizationNotFoundError,
    PermissionDeniedError,
    SessionInvalidError,
)
from auth.repository import MfaRepository
from auth.schemas import MfaPolicyRead, MfaSetupRead, MfaStatusRead, RecoveryCodesRead
from auth.sessions.service import SignIn, SignInService
from auth.tokens import read_mfa_token
from shared.crypto import SecretDecryptionError, decrypt_secret, encrypt_secret
from shared.db.types import utc_now
from shared.events.contracts.auth import (
    MfaDisabled,
    MfaEnabled,
    MfaPolicyUpdated,
    MfaRecoveryCodesRegenerated,
)
from shared.events.envelope import EventData
from shared.models import Organization, User
from shared.models.auth import MfaRecoveryCode
from shared.permissions import grants_any
from shared.principal import Principal
from shared.settings import Settings
from shared.tokens import InvalidTokenError

log = structlog.get_logger("auth.mfa")
ISSUER = "The Logbook"
RECOVERY_CODE_COUNT = 10
POLICY_PERMISSIONS = ("settings.manage", "organization.update_settings")


def totp_step(secret: str, code: str, *, after: int | None = None) -> int | None:
    """The time step (now -1, 0 or +1) whose TOTP `code` is, if later than `after`; else None."""
    if not (code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)  # RFC 6238: SHA-1, 6 digits, 30 s
    now = totp.timecode(time.time())
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code) and (after is None or step > after):
            return step
    return None


def new_recovery_code() -> str:
    """`xxxxx-xxxxx-xxxxx-xxxxx`: 20 random lowercase hex digits."""
    raw = secrets.token_hex(10)
    return "-".join(raw[i : i + 5] for i in range(0, len(raw), 5))


def recovery_code_hash(code: str) -> str:
    """SHA-256 hex of the normalised code (trimmed, lower case, no spaces; hyphens count)."""
    return hashlib.sha256(code.strip().lower().replace(" ", "").encode()).hexdigest()


def requires_mfa(organization: Organization | None) -> bool:
    """The organization's `settings.security.mfa_required`."""
    security = (organization.settings or {}).get("security") if organization else None
    return bool(isinstance(security, dict) and security.get("mfa_required"))


class MfaService:
    """MFA rules; built per request, never commits (the request's session does)."""

    def __init__(
        self,
        sign_in: SignInService,
        repository: MfaRepository,
        events: AuthEvents,
        memory: InstanceMemory,
        settings: Settings,
    ) -> None:
        self._auth = sign_in
        self._repository = repository
        self._events = events
        self._memory = memory
        self._settings = settings

    def _publish(self, event: EventData, user: User) -> None:
        self._events.publish_for(event, user)

    def _common(self, user: User) -> EventSubject:
        return self._events.subject(user.id)

    async def _member(self, principal: Principal) -> User:
        user = await self._repository.member_for_update(principal.user_id)
        if user is None:
            raise SessionInvalidError("member_inactive")
        return user

    async def _secret(self, user: User) -> str | None:
        if user.mfa_secret is None:
            return None
        try:
            return await asyncio.to_thread(decrypt_secret, self._settings, user.mfa_secret)
        except SecretDecryptionError:
            # ENCRYPTION_KEY/SALT changed or the row was altered: TOTP cannot verify.
            log.error("auth.mfa_secret_unreadable", user_id=str(user.id))
            return None

    async def _check_code(self, user: User, code: str) -> None:
        """A TOTP code of a management route: ±1 step, no replay rule; else 400 LB-AUTH-007."""
        secret = await self._secret(user)
        if secret is None or totp_step(secret, code) is None:
            raise MfaCodeInvalidError(user_id=str(user.id))

    async def _new_recovery_codes(self, user: User) -> list[str]:
        codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
        await self._repository.replace_recovery_codes(
            user.id, [recovery_code_hash(c) for c in codes]
        )
        return codes

    async def setup(self, principal: Principal) -> MfaSetupRead:
        """A new pending secret (replacing any earlier one); MFA stays off until verified."""
        user = await self._member(principal)
        if user.mfa_enabled:
            raise MfaStateError("Two-factor authentication is already enabled")
        secret = pyotp.random_base32()  # 32 base32 characters, 160 bits
        user.mfa_secret = await asyncio.to_thread(encrypt_secret, self._settings, secret)
        uri = pyotp.TOTP(secret).provisioning_uri(
            name=user.email or user.username, issuer_name=ISSUER
        )
        log.info("auth.mfa_setup_started", user_id=str(user.id))
        return MfaSetupRead(secret=secret, qr_code_url=uri)

    async def verify_setup(self, principal: Principal, code: str) -> RecoveryCodesRead:
        """Turn MFA on with a first code from the app; returns the recovery codes once."""
        user = await self._member(principal)
        if user.mfa_enabled:
            raise MfaStateError("Two-factor authentication is already enabled")
        if user.mfa_secret is None:
            raise MfaStateError("Two-factor setup has not been started")
        await self._check_code(user, code)
        user.mfa_enabled, user.mfa_last_timestep = True, None
        self._memory.member_changed(user.id)
        codes = await self._new_recovery_codes(user)
        self._publish(MfaEnabled(**self._common(user)), user)
        log.info("auth.mfa_enabled", user_id=str(user.id))
        return RecoveryCodesRead(recovery_codes=codes)

    async def disable(self, principal: Principal, code: str) -> None:
        """Turn MFA off with a current code; sessions stay."""
        user = await self._member(principal)
        if not user.mfa_enabled:
            raise MfaStateError("Two-factor authentication is not enabled")
        await self._check_code(user, code)
        user.mfa_enabled, user.mfa_secret, user.mfa_last_timestep = False, None, None
        self._memory.member_changed(user.id)
        await self._repository.delete_recovery_codes(user.id)
        self._publish(MfaDisabled(**self._common(user)), user)
        log.info("auth.mfa_disabled", user_id=str(user.id))

    async def regenerate_recovery_codes(self, principal: Principal, code: str) -> RecoveryCodesRead:
        """A fresh set of recovery codes; the old ones stop working."""
        user = await self._member(principal)
        if not user.mfa_enabled:
            raise MfaStateError("Two-factor authentication is not enabled")
        await self._check_code(user, code)
        codes = await self._new_recovery_codes(user)
        self._publish(MfaRecoveryCodesRegenerated(**self._common(user), count=len(codes)), user)
        log.info("auth.mfa_recovery_codes_regenerated", user_id=str(user.id))
        return RecoveryCodesRead(recovery_codes=codes)

    async def status(self, principal: Principal) -> MfaStatusRead:
        """Whether MFA is on and how many recovery codes remain."""
        user = await self._repository.member(principal.user_id)
        if user is None:
            raise SessionInvalidError("member_inactive")
        remaining = await self._repository.count_recovery_codes(user.id) if user.mfa_enabled else 0
        return MfaStatusRead(mfa_enabled=user.mfa_enabled, recovery_codes_remaining=remaining)

    @staticmethod
    def _require_policy_permission(principal: Principal) -> None:
        if not grants_any(principal.permissions, POLICY_PERMISSIONS):
            raise PermissionDeniedError(user_id=str(principal.user_id))

    async def policy(self, principal: Principal) -> MfaPolicyRead:
        """The organization's MFA requirement (for those who may change it)."""
        self._require_policy_permission(principal)
        organization = await self._repository.organization(principal.organization_id)
        return MfaPolicyRead(mfa_required=requires_mfa(organization))

    async def set_policy(self, principal: Principal, required: bool) -> MfaPolicyRead:
        """Require MFA of every member, or stop requiring it."""
        self._require_policy_permission(principal)
        organization = await self._repository.organization(principal.organization_id)
        if organization is None:
            raise OrganizationNotFoundError
        settings = dict(organization.settings or {})
        security = settings.get("security")
        # A new dict, so SQLAlchemy sees the JSON column change.
        settings["security"] = {**(security if isinstance(security, dict) else {})}
        settings["security"]["mfa_required"] = required
        organization.settings = settings
        self._memory.member_changed(None)  # every member's MFA gate follows the policy
        self._events.publish(
            MfaPolicyUpdated(**self._events.subject(principal.user_id), mfa_required=required),
            organization_id=principal.organization_id,
            actor_id=principal.user_id,
        )
        log.info("auth.mfa_policy_updated", user_id=str(principal.user_id), mfa_required=required)
        return MfaPolicyRead(mfa_required=required)

    async def login(self, temp_token: str, code: str | None, recovery_code: str | None) -> SignIn:
        """The second sign-in step: a TOTP code (no replay) or a recovery code (used once)."""
        await self._auth.refuse_blocked_address()
        try:
            user_id = read_mfa_token(self._settings, temp_token)
        except InvalidTokenError as exc:
            await self._auth.mfa_challenge_rejected(None)
            raise MfaChallengeInvalidError("bad_token") from exc
        user = await self._repository.member_for_update(user_id)
        now = utc_now()
        if (
            user is None
            or not user.is_active
            or not user.mfa_enabled
            or (user.locked_until is not None and user.locked_until > now)
        ):
            await self._auth.mfa_challenge_rejected(user)
            raise MfaChallengeInvalidError("member_cannot_sign_in")
        if not await self._second_factor(user, code, recovery_code):
            await self._auth.mfa_code_rejected(user)
            raise MfaLoginCodeInvalidError
        return await self._auth.complete_mfa_login(user)

    async def _second_factor(self, user: User, code: str | None, recovery_code: str | None) -> bool:
        if code is not None:
            secret = await self._secret(user)
            step = totp_step(secret, code, after=user.mfa_last_timestep) if secret else None
            if step is not None:
                user.mfa_last_timestep = step
                return True
        if recovery_code is not None and recovery_code.strip():
            return await self._use_recovery_code(user, recovery_code)
        return False

    async def _use_recovery_code(self, user: User, recovery_code: str) -> bool:
        digest = recovery_code_hash(recovery_code)
        match: MfaRecoveryCode | None = None
        for stored in await self._repository.recovery_codes(user.id):
            # Every stored hash is compared, so the time says nothing about which one matched.
            if hmac.compare_digest(stored.code_hash, digest) and match is None:
                match = stored
        if match is None or not await self._repository.use_recovery_code(match.id):
            return False
        log.info("auth.mfa_recovery_code_used", user_id=str(user.id))
        return True
