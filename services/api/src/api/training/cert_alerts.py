"""The daily certification expiry alert job (spec training.md §6), on the shared scheduled-work
facility: once per organization and local day however many api instances tick, at the
department's local 06:00.

Only a member's current record of a certification alerts (the newest completed one per
certification key: a renewal silences the record it replaced). Of the tiers due (90, 60, 30 and
7 days before the expiration date, then expired), only the most urgent one not sent yet fires;
it and the less urgent ones are marked sent, so no tier fires twice or after a more urgent one.
The job only publishes events; the training notification consumer
(api/notifications/from_training.py) turns them into inbox entries and e-mail.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from api.training.cert_alerts_repository import AlertRepository
from api.training.compliance import current_records
from api.training.repository import ComplianceRepository
from shared.events.contracts.training import (
    AlertTier,
    CertificationAlert,
    CertificationExpired,
    CertificationExpiring,
)
from shared.events.outbox import Outbox
from shared.models import TrainingRecord
from shared.scheduled.daily import daily_per_organization


@dataclass(frozen=True)
class Tier:
    """An alert tier: due once the expiration is at most `days` away (None: once it passed),
    and the record's column stamped when it is sent."""

    name: AlertTier
    days: int | None
    column: str


# Least urgent first: a tier that fires marks the ones before it.
TIERS = (
    Tier("90", 90, "alert_90_sent_at"),
    Tier("60", 60, "alert_60_sent_at"),
    Tier("30", 30, "alert_30_sent_at"),
    Tier("7", 7, "alert_7_sent_at"),
    Tier("expired", None, "escalation_sent_at"),
)
FIRST_NOTICE = timedelta(days=90)


def due_tier(expiration: date, today: date) -> int | None:
    """The index in TIERS of the most urgent tier due; None while more than 90 days are left.

    Valid through the expiration date: on that day the certificate is in its 7-day tier.
    """
    left = (expiration - today).days
    due = None
    for index, tier in enumerate(TIERS):
        if (left < 0) if tier.days is None else (left <= tier.days):
            due = index
    return due


async def alert_certifications(
    session: AsyncSession, organization_id: UUID, day: date, now: datetime
) -> None:
    """Publish the one alert each current certification of the organization has due on `day`
    (the department's local date) and mark its tiers sent at `now`."""
    alerts = AlertRepository(session, organization_id)
    candidates = await alerts.unsettled(day + FIRST_NOTICE)
    if not candidates:
        return
    held = await ComplianceRepository(session, organization_id).records_by_member(
        {record.user_id for record in candidates}
    )
    current = {record.id for records in held.values() for record in current_records(records)}
    outbox = Outbox(session)
    for record in candidates:
        if record.id not in current:
            continue  # renewed: the newer record alerts in its own time
        alert = _fire(record, day, now)
        if alert is not None:
            outbox.add(alert, organization_id=organization_id, actor_id=None)
    await alerts.save()


def _fire(record: TrainingRecord, day: date, now: datetime) -> CertificationAlert | None:
    """Mark the most urgent due tier and the skipped ones sent; its alert, or None when it was
    sent before (or none is due)."""
    expiration = record.expiration_date
    due = None if expiration is None else due_tier(expiration, day)
    if expiration is None or due is None or getattr(record, TIERS[due].column) is not None:
        return None
    for tier in TIERS[: due + 1]:
        if getattr(record, tier.column) is None:
            setattr(record, tier.column, now)
    tier = TIERS[due]
    contract = CertificationExpired if tier.days is None else CertificationExpiring
    return contract(
        record_id=record.id,
        user_id=record.user_id,
        course_name=record.course_name,
        tier=tier.name,
        expiration_date=expiration,
    )


CERTIFICATION_ALERTS = daily_per_organization(
    "training.certification_alerts", time(6, 0), alert_certifications
)
