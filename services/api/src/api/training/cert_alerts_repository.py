"""The SQL of the certification expiry alert job (spec training.md §6): the records whose
alerts are not all sent yet, and the tiers marked sent on them."""

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from shared.db.repository import TenantRepository
from shared.models import MemberStatus, TrainingRecord, TrainingStatus, User


class AlertRepository(TenantRepository[TrainingRecord]):
    """One organization's certification records as the alert job reads and marks them."""

    model = TrainingRecord

    async def unsettled(self, last: date) -> Sequence[TrainingRecord]:
        """Completed records of active members expiring on or before `last` (the expired
        included) whose escalation, the last tier, is not sent: every other record has nothing
        left to send. By member, soonest expiry first."""
        members = select(User.id).where(
            User.organization_id == self.organization_id,
            User.status == MemberStatus.ACTIVE,
            User.deleted_at.is_(None),
        )
        stmt = (
            self.scoped()
            .where(
                TrainingRecord.status == TrainingStatus.COMPLETED,
                TrainingRecord.expiration_date.is_not(None),
                TrainingRecord.expiration_date <= last,
                TrainingRecord.escalation_sent_at.is_(None),
                TrainingRecord.user_id.in_(members),
            )
            .order_by(TrainingRecord.user_id, TrainingRecord.expiration_date, TrainingRecord.id)
        )
        return (await self.session.scalars(stmt)).all()

    async def save(self) -> None:
        """Write the tiers marked on loaded records."""
        await self.session.flush()
