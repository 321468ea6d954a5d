"""Membership's consumer of inventory's holdings changes (spec inventory.md §8): a dropped
member is archived once the last of the department's property comes back (spec members §2.5)."""

import msgspec
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.chain import AuditRecord
from api.audit.trail import AuditTrail
from api.members.holdings_repository import HoldingsRepository
from api.members.repository import MemberRepository
from api.members.service import PropertyReturnArchive
from shared.events.contracts.inventory import MemberHoldingsChanged
from shared.events.envelope import Envelope
from shared.events.outbox import Outbox

log = structlog.get_logger("api.members")


async def archive_when_returned(session: AsyncSession, envelope: Envelope, key: bytes) -> None:
    """Archive the member of a holdings change that left them nothing, if they are dropped.

    Each return counts what the member still holds under the member's lock, so the return that
    empties their hands reports zero: the other reports need no database work. A delivery that
    meets a return in progress raises `HoldingsChangingError`; the consumer framework tries it
    again after a delay.
    """
    organization_id = envelope.organization_id
    change = msgspec.convert(envelope.data, MemberHoldingsChanged)
    if organization_id is None or change.remaining_count > 0:
        return
    members = MemberRepository(session, organization_id)
    actor = envelope.actor_id
    context = AuditRecord(
        organization_id=organization_id,
        event_type="",
        event_category="",
        user_id=actor,
        username=await members.username_of(actor) if actor else None,
        request_id=envelope.request_id,
    )
    archive = PropertyReturnArchive(
        members=members,
        holdings=HoldingsRepository(session, organization_id),
        audit=AuditTrail(session, key, context),
        outbox=Outbox(session),
    )
    if await archive.archive_if_all_returned(change.user_id, actor):
        log.info("members.archived_after_return", user_id=str(change.user_id))
