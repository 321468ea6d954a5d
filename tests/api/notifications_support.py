"""Inbox entries written straight into the worker's database, as the consumers would."""

import uuid
from datetime import datetime, timedelta

from shared.db.types import utc_now
from shared.models import NotificationChannel, NotificationLog, Organization
from tests.api.signed_in import SignedInOrganization

INBOX = "/api/v1/notifications/my"


async def add_notification(
    org: SignedInOrganization,
    recipient_id: uuid.UUID,
    *,
    sent_at: datetime | None = None,
    **fields: object,
) -> NotificationLog:
    """A stored notification for `recipient_id` (in-app, unread, sent now unless told)."""
    values: dict[str, object] = {
        "organization_id": org.organization_id,
        "recipient_id": recipient_id,
        "channel": NotificationChannel.IN_APP,
        "category": "security",
        "subject": f"Notice {uuid.uuid4().hex[:6]}",
        "message": "Something happened to your account",
        "delivered": True,
        "sent_at": sent_at or utc_now(),
        **fields,
    }
    async with org.sessions() as session:
        entry = NotificationLog(**values)
        session.add(entry)
        await session.commit()
    return entry


def ago(**delta: float) -> datetime:
    """A moment in the past."""
    return utc_now() - timedelta(**delta)


async def other_organization(org: SignedInOrganization) -> SignedInOrganization:
    """A second organization on the same api, with its own IT manager signed in."""
    organization_id = uuid.uuid4()
    async with org.sessions() as session:
        session.add(
            Organization(id=organization_id, name="Station 12", slug=f"s-{organization_id}")
        )
        await session.commit()
    other = SignedInOrganization(org.settings, organization_id, org.sessions, org.api, {})
    _, other.admin = await other.member("it_manager")
    return other
