"""Inbox entries made from domain events, e-mailed too when SMTP is configured (addendum §5.5).

One entry per member, idempotent on (event id, member, category, channel) by a unique
constraint, on top of the consumer's own once-per-event-id bookkeeping. Members are looked up
when the event is consumed: one who is no longer active, or not of the event's organization,
gets nothing.
"""

from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.notifications.repository import InboxWriter
from api.notifications.triggers import Draft, draft_for
from shared.db.types import utc_now
from shared.events.contracts.notifications import InboxesChanged
from shared.events.envelope import Envelope
from shared.events.outbox import Outbox
from shared.mailer import Mailer, NotificationMail
from shared.models import NotificationChannel, NotificationLog, User
from shared.settings import Settings

log = structlog.get_logger("api.notifications")
# A new consumer starts at the beginning of the stream: older events are history, not news.
STALE_AFTER = timedelta(days=7)
ERROR_MAX = 500


async def notify_from_event(
    session: AsyncSession, envelope: Envelope, settings: Settings, mailer: Mailer
) -> NotificationLog | None:
    """Write the inbox entry `envelope` stands for (and e-mail it); None when there is none."""
    if envelope.organization_id is None or stale(envelope):
        return None
    writer = InboxWriter(session, envelope.organization_id)
    draft = await draft_for(envelope, writer.role_names)
    if draft is None:
        return None
    member = await writer.recipient(draft.recipient_id)
    if member is None:
        log.info("notifications.no_active_recipient", event_type=envelope.type)
        return None
    return await deliver(writer, envelope, draft, member, settings=settings, mailer=mailer)


def stale(envelope: Envelope) -> bool:
    """Whether the event is too old to notify anyone of (a replay after a long outage)."""
    if envelope.occurred_at < utc_now() - STALE_AFTER:
        log.info("notifications.stale_event_skipped", event_type=envelope.type)
        return True
    return False


async def deliver(
    writer: InboxWriter,
    envelope: Envelope,
    draft: Draft,
    member: User,
    *,
    settings: Settings,
    mailer: Mailer,
) -> NotificationLog | None:
    """Write one member's inbox entry for `envelope` (and e-mail it); None if it exists."""
    entry = _entry(envelope, draft, member, NotificationChannel.IN_APP)
    if not await writer.add_once(entry):
        log.info("notifications.duplicate_skipped", event_type=envelope.type)
        return None
    log.info("notifications.created", log_id=str(entry.id), category=draft.category)
    # Every instance drops the member's cached unread count once this commits.
    Outbox(writer.session).add(
        InboxesChanged(user_ids=[member.id], change="added"),
        organization_id=envelope.organization_id,
        actor_id=envelope.actor_id,
    )
    await email(writer, draft, member, envelope=envelope, settings=settings, mailer=mailer)
    return entry


async def email(
    writer: InboxWriter,
    draft: Draft,
    member: User,
    *,
    envelope: Envelope,
    settings: Settings,
    mailer: Mailer,
) -> None:
    """E-mail the notice and log the send; skipped (and logged) without SMTP or when opted out."""
    wanted = (member.notification_preferences or {}).get("email_notifications", True)
    if not (wanted or draft.always_email):
        return
    if not settings.smtp_host:
        log.info(
            "notifications.email_skipped", reason="smtp_not_configured", user_id=str(member.id)
        )
        return
    link = f"{settings.frontend_url.rstrip('/')}{draft.action_url or '/notifications?tab=inbox'}"
    # Sent inside the consumer's transaction: if that transaction then fails, the redelivered
    # event may e-mail the member twice, but the in-app entry is never lost or doubled.
    mail = NotificationMail(
        user_id=str(member.id),
        to=member.email,
        subject=draft.subject,
        body=f"{draft.message}\n\nOpen The Logbook: {link}\n",
    )
    try:
        error = await mailer.send_notification(mail)
    except Exception as exc:  # noqa: BLE001 - e.g. an address no header can hold (ValueError)
        # Raising would roll the in-app entry back and retry the event until it is given up;
        # only the class is kept, as the exception's text can quote the address.
        error = type(exc).__name__
    sent = _entry(envelope, draft, member, NotificationChannel.EMAIL)
    sent.delivered, sent.error = error is None, error[:ERROR_MAX] if error else None
    if not await writer.add_once(sent):
        return
    if error is None:
        log.info("notifications.emailed", user_id=str(member.id))
    else:
        log.warning("notifications.email_failed", user_id=str(member.id), error=error)


def _entry(
    envelope: Envelope, draft: Draft, member: User, channel: NotificationChannel
) -> NotificationLog:
    return NotificationLog(
        organization_id=member.organization_id,
        recipient_id=member.id,
        recipient_email=member.email,
        recipient_name=member.full_name or member.username,
        channel=channel,
        category=draft.category,
        subject=draft.subject,
        message=draft.message,
        action_url=draft.action_url,
        sent_at=utc_now(),
        delivered=channel is NotificationChannel.IN_APP,
        source_event_id=envelope.id,
    )
