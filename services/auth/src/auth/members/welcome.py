"""The welcome mail of a member an administrator added (spec §4 #13, on `member.created`).

Deliberately not a temporary password: the mail carries a link to choose one (the password
reset page, valid for a week), so no password ever travels by mail or sits in a mailbox. A
member whose administrator chose the password gets no link; the administrator hands it over.
"""

import secrets
from datetime import timedelta
from uuid import UUID

import msgspec
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from auth.repository import MemberRepository, ResetTokenRepository
from auth.tokens import token_hash
from shared.db.types import utc_now
from shared.events.contracts.members import MemberCreated
from shared.events.envelope import Envelope
from shared.mailer import Mailer, WelcomeMail, reset_link
from shared.models.auth import PasswordResetToken
from shared.settings import Settings

log = structlog.get_logger("auth.welcome")
WELCOME_LINK_VALIDITY = timedelta(days=7)
WELCOME_TOKEN_BYTES = 48


async def welcome_new_member(envelope: Envelope, session: AsyncSession, settings: Settings) -> None:
    """Issue a week-long set-your-password link to a new member and mail it."""
    created = msgspec.convert(envelope.data, MemberCreated)
    if not created.send_welcome_email:
        return
    member = await MemberRepository(session).get(UUID(created.user_id))
    if member is None or member.password_hash is not None or not member.is_active:
        return  # gone since, or the administrator chose the password
    tokens = ResetTokenRepository(session)
    now = utc_now()
    if await tokens.has_live(member.id, now):
        return  # a redelivered event: the first delivery issued the link
    raw = secrets.token_urlsafe(WELCOME_TOKEN_BYTES)
    await tokens.add_written(
        PasswordResetToken(
            user_id=member.id,
            token_hash=token_hash(raw),
            created_at=now,
            expires_at=now + WELCOME_LINK_VALIDITY,
        )
    )
    await Mailer(settings).send_welcome(
        WelcomeMail(
            str(member.id), member.email, member.first_name or "", reset_link(settings, raw)
        )
    )
