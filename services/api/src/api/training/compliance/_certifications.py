"""Certification expiry, renewals superseding older records, and the member stats (spec §4.4, §6).

A certification is valid through its expiration date. Only the newest completed record per
member per certification key counts, so a renewal hides the expired record it replaced in the
stats, the summary colour, the expiring lists and the alerts.
"""

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from api.training.compliance._evaluate import newest_first_key
from api.training.compliance._facts import Record

EXPIRING_SOON_DAYS = 90


class CertStatus(enum.StrEnum):
    """Where one expiration date stands against today (spec §2 derived enums)."""

    EXPIRED = "expired"
    EXPIRING_SOON = "expiring_soon"
    CURRENT = "current"


@dataclass(frozen=True, slots=True)
class TrainingStats:
    """`GET /training/stats/user/{id}` figures (spec §4.4) over the member's completed records."""

    total_hours: float
    hours_this_year: float
    total_certifications: int
    active_certifications: int
    expiring_soon: int
    expired: int
    completed_courses: int


def cert_status(expiration: date, today: date, *, days: int = EXPIRING_SOON_DAYS) -> CertStatus:
    """Expired before today; expiring soon through today + `days`; else current (§6 [fix])."""
    if expiration < today:
        return CertStatus.EXPIRED
    if expiration <= today + timedelta(days=days):
        return CertStatus.EXPIRING_SOON
    return CertStatus.CURRENT


def certification_key(record: Record) -> tuple[UUID | None, UUID | str]:
    """(member, course id), else (member, lower-cased course name): what a renewal replaces."""
    course: UUID | str = (
        record.course_id if record.course_id is not None else record.course_name.casefold()
    )
    return (record.user_id, course)


def current_records(records: Iterable[Record]) -> list[Record]:
    """The newest completed record per member per certification key; older ones are superseded.

    Pass one member's records or several members' (`user_id` keeps them apart).
    """
    newest: dict[tuple[UUID | None, UUID | str], Record] = {}
    for record in records:
        if not record.completed:
            continue
        key = certification_key(record)
        held = newest.get(key)
        if held is None or newest_first_key(record) > newest_first_key(held):
            newest[key] = record
    return list(newest.values())


def training_stats(records: Iterable[Record], today: date) -> TrainingStats:
    """Hours and course counts over every completed record; certification counts (records with
    a certification number) over the current ones only, an undated one in the total alone."""
    completed = [record for record in records if record.completed]
    this_year = [r for r in completed if r.completion_date and r.completion_date.year == today.year]
    certifications = [r for r in current_records(completed) if r.certification_number]
    statuses = [cert_status(r.expiration_date, today) for r in certifications if r.expiration_date]
    return TrainingStats(
        total_hours=round(sum(r.hours_completed for r in completed), 2),
        hours_this_year=round(sum(r.hours_completed for r in this_year), 2),
        total_certifications=len(certifications),
        active_certifications=sum(status != CertStatus.EXPIRED for status in statuses),
        expiring_soon=statuses.count(CertStatus.EXPIRING_SOON),
        expired=statuses.count(CertStatus.EXPIRED),
        completed_courses=len(completed),
    )
