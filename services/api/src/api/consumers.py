"""The api's durable consumers: audit entries from auth events and deferred entries, inbox
entries from the events that concern a member (the calendar's and the certification expiry
alerts among them), membership's auto-archive on inventory's returns, and training's records
from training sessions' check-ins.

Both run through shared.events.consumer, which handles each event id once (a redelivered or
republished event adds nothing) and binds the event's request id into every log line.
"""

from collections.abc import Awaitable, Callable

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.chain import signing_key
from api.audit.from_events import record_auth_event, record_deferred
from api.members.from_inventory import archive_when_returned
from api.notifications.from_calendar import notify_calendar
from api.notifications.from_events import notify_from_event
from api.notifications.from_inventory import notify_inventory_change
from api.notifications.from_stock import notify_stock_low
from api.notifications.from_training import notify_training
from api.notifications.holder_mail import mail_holder_changes
from api.notifications.triggers import DUE_BACK
from api.training.from_events import bridge_attendance
from shared.app import ConsumerSpec
from shared.events.contracts.audit import AuditDeferred
from shared.events.contracts.inventory import (
    HolderChangesSettled,
    MemberHoldingsChanged,
    StockLow,
)
from shared.events.envelope import Envelope
from shared.mailer import Mailer
from shared.models import AuditLog
from shared.settings import Settings

log = structlog.get_logger("api.consumers")
Recorder = Callable[[AsyncSession, bytes, Envelope], Awaitable[AuditLog | None]]


def _audit_handler(
    settings: Settings, recorder: Recorder
) -> Callable[[Envelope, AsyncSession], Awaitable[None]]:
    async def handle(envelope: Envelope, session: AsyncSession) -> None:
        entry = await recorder(session, signing_key(settings), envelope)
        if entry is None:
            log.info("audit.event_without_organization", event_type=envelope.type)
            return
        log.info("audit.entry_recorded", log_id=entry.id, event_type=entry.event_type)

    return handle


def audit_consumers(settings: Settings) -> tuple[ConsumerSpec, ...]:
    """The consumers writing the audit trail, keyed with this deployment's signing key."""
    return (
        ConsumerSpec(
            durable="api-audit",
            subject_filter="logbook.auth.>",
            handler=_audit_handler(settings, record_auth_event),
        ),
        # A durable has one subject filter here; deferred entries get a consumer of their own.
        ConsumerSpec(
            durable="api-audit-deferred",
            subject_filter=AuditDeferred.subject,
            handler=_audit_handler(settings, record_deferred),
        ),
    )


def _notify_handler(settings: Settings) -> Callable[[Envelope, AsyncSession], Awaitable[None]]:
    mailer = Mailer(settings)

    async def handle(envelope: Envelope, session: AsyncSession) -> None:
        await notify_from_event(session, envelope, settings, mailer)

    return handle


def _inventory_handler(settings: Settings) -> Callable[[Envelope, AsyncSession], Awaitable[None]]:
    mailer = Mailer(settings)

    async def handle(envelope: Envelope, session: AsyncSession) -> None:
        # The daily reminders are one notice each; holder changes fold into a pending entry,
        # which is mailed once its hour has settled.
        if envelope.type in DUE_BACK:
            await notify_from_event(session, envelope, settings, mailer)
        elif envelope.type == StockLow.subject:
            await notify_stock_low(session, envelope, settings, mailer)
        elif envelope.type == HolderChangesSettled.subject:
            await mail_holder_changes(session, envelope, settings, mailer)
        else:
            await notify_inventory_change(session, envelope)

    return handle


def _calendar_handler(settings: Settings) -> Callable[[Envelope, AsyncSession], Awaitable[None]]:
    mailer = Mailer(settings)

    async def handle(envelope: Envelope, session: AsyncSession) -> None:
        await notify_calendar(session, envelope, settings, mailer)

    return handle


def _training_handler(settings: Settings) -> Callable[[Envelope, AsyncSession], Awaitable[None]]:
    mailer = Mailer(settings)

    async def handle(envelope: Envelope, session: AsyncSession) -> None:
        await notify_training(session, envelope, settings, mailer)

    return handle


def notification_consumers(settings: Settings) -> tuple[ConsumerSpec, ...]:
    """The consumers filling members' inboxes (and mailing them when SMTP is configured)."""
    handler = _notify_handler(settings)
    return (
        ConsumerSpec(
            durable="api-notifications-auth", subject_filter="logbook.auth.>", handler=handler
        ),
        ConsumerSpec(
            durable="api-notifications-members",
            subject_filter="logbook.api.member.>",
            handler=handler,
        ),
        # Holder changes fold into one pending entry per member rather than one each.
        ConsumerSpec(
            durable="api-notifications-inventory",
            subject_filter="logbook.api.inventory.>",
            handler=_inventory_handler(settings),
        ),
        # Edits, cancellations, promotions off a waitlist and RSVP reminders; the rest of the
        # calendar's events concern no inbox and are passed over.
        ConsumerSpec(
            durable="api-notifications-events",
            subject_filter="logbook.api.event.>",
            handler=_calendar_handler(settings),
        ),
        # Certification expiry alerts; record and library changes concern no inbox.
        ConsumerSpec(
            durable="api-notifications-training",
            subject_filter="logbook.api.training.>",
            handler=_training_handler(settings),
        ),
    )


def member_consumers(settings: Settings) -> tuple[ConsumerSpec, ...]:
    """Membership's consumer of inventory: a dropped member is archived once all is returned;
    its audit entry is keyed with this deployment's signing key."""
    key = signing_key(settings)

    async def handle(envelope: Envelope, session: AsyncSession) -> None:
        await archive_when_returned(session, envelope, key)

    return (
        ConsumerSpec(
            durable="api-members-inventory",
            subject_filter=MemberHoldingsChanged.subject,
            handler=handle,
        ),
    )


def training_consumers() -> tuple[ConsumerSpec, ...]:
    """Training's consumer of the calendar: check-ins of a training session's event make the
    members' records, finalized attendance gives them hours (spec training.md §7)."""
    return (
        ConsumerSpec(
            durable="api-training-events",
            subject_filter="logbook.api.event.>",
            handler=bridge_attendance,
        ),
    )
