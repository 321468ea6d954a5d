"""Reactions of the auth service to api events: departures end sessions, arrivals get a welcome."""

from uuid import UUID

import msgspec
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from auth.members.welcome import welcome_new_member
from auth.repository import SessionRepository
from shared.app import ConsumerSpec
from shared.db.types import utc_now
from shared.events.contracts.auth import SessionsRevoked
from shared.events.contracts.members import MemberCreated, MemberDeleted, MemberStatusChanged
from shared.events.envelope import Envelope
from shared.events.outbox import Outbox
from shared.settings import Settings

log = structlog.get_logger("auth.consumers")


async def end_sessions_of_departed_members(envelope: Envelope, session: AsyncSession) -> None:
    """Revoke every session of a member who left `active` status or was deleted."""
    if envelope.type == MemberStatusChanged.subject:
        change = msgspec.convert(envelope.data, MemberStatusChanged)
        if change.new_status == "active":
            return
        user_id = change.user_id
    elif envelope.type == MemberDeleted.subject:
        user_id = msgspec.convert(envelope.data, MemberDeleted).user_id
    else:
        return
    revoked = await SessionRepository(session).revoke_all(
        UUID(user_id), "member_inactive", utc_now()
    )
    if revoked:
        Outbox(session).add(
            SessionsRevoked(
                user_id=user_id,
                ip_address=None,
                user_agent=None,
                session_ids=[str(i) for i in revoked],
                reason="member_inactive",
            ),
            organization_id=envelope.organization_id,
            actor_id=envelope.actor_id,
        )
    log.info("auth.sessions_revoked_for_member", user_id=user_id, count=len(revoked))


def member_consumers(settings: Settings) -> tuple[ConsumerSpec, ...]:
    """The consumers of the api's member events (the welcome mail needs the settings)."""

    async def on_member_event(envelope: Envelope, session: AsyncSession) -> None:
        if envelope.type == MemberCreated.subject:
            await welcome_new_member(envelope, session, settings)
        else:
            await end_sessions_of_departed_members(envelope, session)

    return (
        ConsumerSpec(
            durable="auth-member-departures",
            subject_filter="logbook.api.member.>",
            handler=on_member_event,
        ),
    )
