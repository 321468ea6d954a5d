"""Password reset by mailed link (spec/auth.md §2.9): never signs anyone in."""

import hashlib
import secrets
from datetime import timedelta
from functools import partial
from typing import Literal
from uuid import UUID

import structlog

from auth.context import AuthStore, Refusals
from auth.errors import PasswordRejectedError, ResetTokenExpiredError, ResetTokenInvalidError
from auth.reset.service._writer import CredentialWriter
from auth.tokens import token_hash
from shared.db.types import utc_now
from shared.events.contracts.auth import (
    PasswordChanged,
    PasswordResetFailed,
    PasswordResetRequested,
)
from shared.mailer import ResetMail, reset_link
from shared.models import User
from shared.models.auth import PasswordResetToken
from shared.settings import Settings

log = structlog.get_logger("auth.reset")
RESET_TOKEN_BYTES = 48  # 64 URL-safe characters
RESET_TOKEN_VALIDITY = timedelta(minutes=30)
MAX_RESET_TOKEN_LENGTH = 256
FailReason = Literal["invalid", "expired", "policy", "history"]


class PasswordResetService:
    """Forgot-password, link check and reset; never signs anyone in.

    A refused reset keeps its failure event (and clears an expired link) through `Refusals`,
    written once the request's transaction has rolled back.
    """

    def __init__(self, writer: CredentialWriter, refusals: Refusals, settings: Settings) -> None:
        self._writer = writer
        self._refusals = refusals
        self._settings = settings

    async def request_reset(self, email: str) -> ResetMail | None:
        """Issue a link when an active member has the address and no live link yet."""
        address = email.strip().lower()
        user = await self._writer.members.find_for_login(address)
        now = utc_now()
        mail = None
        if (
            user is not None
            and user.is_active
            and not await self._writer.tokens.has_live(user.id, now)
        ):
            raw = secrets.token_urlsafe(RESET_TOKEN_BYTES)
            self._writer.tokens.add(
                PasswordResetToken(
                    user_id=user.id,
                    token_hash=token_hash(raw),
                    created_at=now,
                    expires_at=now + RESET_TOKEN_VALIDITY,
                )
            )
            mail = ResetMail(str(user.id), user.email, reset_link(self._settings, raw))
        self._writer.events.publish(
            PasswordResetRequested(
                **self._writer.events.subject(user.id if user else None),
                email_sha256=hashlib.sha256(address.encode()).hexdigest(),
                token_issued=mail is not None,
            ),
            organization_id=user.organization_id if user else None,
            actor_id=None,  # nobody is signed in
        )
        return mail

    async def check_token(self, raw: str) -> None:
        """Raise the generic 400 unless the link can still be used."""
        found = await self._unused(raw)
        if found is None or found[0].expires_at <= utc_now():
            raise ResetTokenInvalidError

    async def reset(self, raw: str, new: str) -> None:
        """Set the new password from a live link; every session of the member ends."""
        found = await self._unused(raw)
        if found is None:
            self._refusals.keep(partial(_failed, None, None, "invalid"))
            raise ResetTokenInvalidError
        record, user = found
        if record.expires_at <= utc_now():
            # Cleared: the member must ask for a new link.
            self._refusals.keep(partial(_expired, record.id, user.id, user.organization_id))
            raise ResetTokenExpiredError
        rejected = await self._writer.rejection(user, new)
        if rejected is not None:
            self._refusals.keep(partial(_failed, user.id, user.organization_id, rejected[0]))
            raise PasswordRejectedError(rejected[1])
        await self._writer.replace(user, new, must_change=False)
        revoked = await self._writer.end_sessions(user, "password_reset", user.id)
        self._writer.events.publish(
            PasswordChanged(
                **self._writer.events.subject(user.id),
                method="reset_token",
                sessions_revoked=revoked,
            ),
            organization_id=user.organization_id,
            actor_id=user.id,
        )
        log.info("auth.password_reset_completed", user_id=str(user.id), sessions_revoked=revoked)

    async def _unused(self, raw: str) -> tuple[PasswordResetToken, User] | None:
        """An unused link (expired or not) of an active member, locked; else None."""
        if len(raw) > MAX_RESET_TOKEN_LENGTH:
            return None
        record = await self._writer.tokens.get_for_update(token_hash(raw))
        if record is None or record.used_at is not None:
            return None
        user = await self._writer.members.get_with_positions(record.user_id)
        if user is None or not user.is_active:
            return None
        return record, user


async def _expired(token_id: UUID, user_id: UUID, organization_id: UUID, store: AuthStore) -> None:
    await store.tokens.mark_used(token_id, utc_now())
    await _failed(user_id, organization_id, "expired", store)


async def _failed(
    user_id: UUID | None, organization_id: UUID | None, reason: FailReason, store: AuthStore
) -> None:
    store.events.publish(
        PasswordResetFailed(**store.events.subject(user_id), reason=reason),
        organization_id=organization_id,
        actor_id=None,
    )
