"""Certification expiry alerts in the inbox (spec training.md §6; addendum §5.4-§5.5).

The training alert job (api/training/cert_alerts.py) publishes one event per certification and
tier. The member hears of every tier; from the 30-day tier the training officers
(`training.manage`) hear too, and from the 7-day tier and once it expired the compliance
officers (`compliance.manage`) as well. One entry per recipient and event (category
`training`), e-mailed by each recipient's preference; a member who is also an officer gets the
member's entry only. The member is looked up when the event is consumed: one no longer active,
or not of the event's organization, concerns nobody.
"""

from datetime import date
from uuid import UUID

import msgspec
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.notifications.from_events import deliver, stale
from api.notifications.repository import InboxWriter
from api.notifications.triggers import Draft
from shared.events.contracts.training import (
    CertificationAlert,
    CertificationExpired,
    CertificationExpiring,
)
from shared.events.envelope import Envelope
from shared.mailer import Mailer
from shared.models import User
from shared.settings import Settings

log = structlog.get_logger("api.notifications")
TRAINING = "training"
CONTRACTS: dict[str, type[CertificationAlert]] = {
    contract.subject: contract for contract in (CertificationExpiring, CertificationExpired)
}
TRAINING_OFFICERS = "training.manage"
COMPLIANCE_OFFICERS = "compliance.manage"
# Who hears besides the member, by tier (§6): the officers of each tier and of those before it.
OFFICERS = {
    "30": (TRAINING_OFFICERS,),
    "7": (TRAINING_OFFICERS, COMPLIANCE_OFFICERS),
    "expired": (TRAINING_OFFICERS, COMPLIANCE_OFFICERS),
}


async def notify_training(
    session: AsyncSession, envelope: Envelope, settings: Settings, mailer: Mailer
) -> int:
    """Write each recipient's entry for the certification alert `envelope` stands for (and
    e-mail it); how many entries were new. Other training events concern no inbox."""
    contract = CONTRACTS.get(envelope.type)
    if contract is None or envelope.organization_id is None or stale(envelope):
        return 0
    try:
        alert = msgspec.convert(envelope.data, contract)
    except msgspec.ValidationError:
        # Redelivering cannot mend it: logged and dropped, never retried.
        log.warning("notifications.malformed_event", event_type=envelope.type)
        return 0
    writer = InboxWriter(session, envelope.organization_id)
    member = await writer.recipient(alert.user_id)
    if member is None:
        log.info("notifications.no_active_recipient", event_type=envelope.type)
        return 0
    notices = [(member, _to_member(alert, member))]
    notices += [
        (officer, _to_officer(alert, member, officer))
        for officer in await _officers(writer, alert, member)
    ]
    written = 0
    for recipient, draft in notices:
        entry = await deliver(writer, envelope, draft, recipient, settings=settings, mailer=mailer)
        written += entry is not None
    return written


async def _officers(writer: InboxWriter, alert: CertificationAlert, member: User) -> list[User]:
    """The officers the alert's tier reaches, the member left out, each once, in id order."""
    found: dict[UUID, User] = {}
    for permission in OFFICERS.get(alert.tier, ()):
        for officer in await writer.active_members_holding(permission):
            found.setdefault(officer.id, officer)
    found.pop(member.id, None)
    return [found[officer_id] for officer_id in sorted(found)]


def _to_member(alert: CertificationAlert, member: User) -> Draft:
    link = f"/training/records?user_id={member.id}"
    expires = _day(alert.expiration_date)
    if alert.tier == "expired":
        subject = f"EXPIRED Certification: {alert.course_name} - {_name(member)}"
        message = (
            f"Your {alert.course_name} certification was valid through {expires} and has not "
            "been renewed."
        )
        return Draft(member.id, TRAINING, subject, message, link)
    subject = f"Certification Expiring in {alert.tier} Days: {alert.course_name}"
    message = f"Your {alert.course_name} certification is valid through {expires}; renew it."
    return Draft(member.id, TRAINING, subject, message, link)


def _to_officer(alert: CertificationAlert, member: User, officer: User) -> Draft:
    link = f"/members/{member.id}/training"
    name, expires = _name(member), _day(alert.expiration_date)
    if alert.tier == "expired":
        subject = f"EXPIRED Certification: {alert.course_name} - {name}"
        message = (
            f"{name}'s {alert.course_name} certification was valid through {expires} and has "
            "not been renewed."
        )
        return Draft(officer.id, TRAINING, subject, message, link)
    subject = f"Member Cert Expiring: {alert.course_name} - {name}"
    message = f"{name}'s {alert.course_name} certification is valid through {expires}."
    return Draft(officer.id, TRAINING, subject, message, link)


def _name(member: User) -> str:
    return member.full_name or member.username


def _day(day: date) -> str:
    """A date as the members read it: `Mar 6, 2027`."""
    return f"{day:%b} {day.day}, {day.year}"
