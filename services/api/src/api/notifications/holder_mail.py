"""§8's consolidated e-mail of a member's equipment changes (spec inventory.md §8).

A member's holder changes fold into one inbox entry for an hour (`from_inventory.py`); once
that hour is over the entry changes no more, and the member is sent it by e-mail, by their
e-mail preference, as one message. The hourly job (one run per organization and hour however
many instances tick, `shared.scheduled.hourly`) publishes `HolderChangesSettled` for each entry
begun in the hour before last that still holds a change; the inventory notifications consumer
mails it. Entries the opposite changes emptied were withdrawn and are not mailed.
"""

from datetime import datetime, timedelta
from uuid import UUID

import msgspec
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.notifications.from_events import email, stale
from api.notifications.from_inventory import FOLD_WINDOW
from api.notifications.repository import InboxWriter
from api.notifications.triggers import INVENTORY, MY_EQUIPMENT, Draft
from shared.events.contracts.inventory import HolderChangesSettled
from shared.events.envelope import Envelope
from shared.events.outbox import Outbox
from shared.mailer import Mailer
from shared.scheduled.hourly import hourly_per_organization
from shared.settings import Settings

log = structlog.get_logger("api.notifications")
HOUR = timedelta(hours=1)


async def settle_hour(
    session: AsyncSession, organization_id: UUID, start: datetime, _now: datetime
) -> None:
    """Announce each entry of holder changes begun in the hour from `start`."""
    writer = InboxWriter(session, organization_id)
    entries = await writer.digests_begun(INVENTORY, start, start + HOUR, folded_for=FOLD_WINDOW)
    outbox = Outbox(session)
    for entry in entries:
        if entry.recipient_id is None or not (entry.extra_data or {}).get("changes"):
            continue  # not a holder-change entry (a daily reminder), or emptied
        outbox.add(
            HolderChangesSettled(user_id=entry.recipient_id, entry_id=entry.id),
            organization_id=organization_id,
            actor_id=None,
        )


HOLDER_CHANGE_MAIL = hourly_per_organization(
    "inventory.holder_change_mail", settle=FOLD_WINDOW, work=settle_hour
)


async def mail_holder_changes(
    session: AsyncSession, envelope: Envelope, settings: Settings, mailer: Mailer
) -> None:
    """E-mail the member the entry `envelope` announces, as it stands."""
    if envelope.organization_id is None or stale(envelope):
        return
    try:
        settled = msgspec.convert(envelope.data, HolderChangesSettled)
    except msgspec.ValidationError:
        log.warning("notifications.malformed_event", event_type=envelope.type)
        return
    writer = InboxWriter(session, envelope.organization_id)
    entry = await writer.in_app_entry(settled.entry_id)
    if entry is None or entry.recipient_id != settled.user_id:
        return
    member = await writer.recipient(settled.user_id)
    if member is None:
        log.info("notifications.no_active_recipient", event_type=envelope.type)
        return
    draft = Draft(
        recipient_id=member.id,
        category=INVENTORY,
        subject=entry.subject or "Changes to your equipment",
        message=entry.message or "",
        action_url=MY_EQUIPMENT,
    )
    await email(writer, draft, member, envelope=envelope, settings=settings, mailer=mailer)
