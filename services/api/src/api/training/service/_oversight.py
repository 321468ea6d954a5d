"""The organization-wide reads (spec training.md §4.5 #22, #23, #25): expiring certifications
and the compliance matrix, renewals superseding older records (§6 [fix]) and every cell from
the one engine."""

from collections.abc import Sequence
from datetime import date, timedelta
from uuid import UUID

from api.training.compliance import (
    CellStatus,
    CertStatus,
    current_records,
    percentage,
)
from api.training.schemas import (
    ComplianceMatrix,
    ExpiringCertification,
    MatrixCell,
    MatrixMember,
    MatrixRequirement,
    RecordRead,
)
from api.training.service._shapes import record_read
from api.training.service._standing import StandingBase
from shared.db.types import utc_now
from shared.models import TrainingRecord


class OversightTopic(StandingBase):
    """What the training officer watches across the organization."""

    async def expiring_records(self, days_ahead: int) -> list[RecordRead]:
        """Completed records expiring within `days_ahead` days, the expired included, soonest
        first: the caller's own, or the organization's for an officer (§8.4)."""
        standing = await self._standing()
        only = None if self.manages else self.principal.user_id
        rows = await self._current_expiring(standing.today + timedelta(days=days_ahead), only)
        return [record_read(row) for row in rows]

    async def expiring_certifications(self, days: int) -> list[ExpiringCertification]:
        """The organization's certifications expiring within `days` days or already expired,
        with their members' names; former members' records are left out."""
        standing = await self._standing()
        rows = await self._current_expiring(standing.today + timedelta(days=days))
        people = await self.compliance.people({row.user_id for row in rows})
        listed = []
        for row in rows:
            person = people.get(row.user_id)
            if person is None or row.expiration_date is None:
                continue
            listed.append(
                ExpiringCertification(
                    user_id=row.user_id,
                    member_name=person.sort_name,
                    requirement_id=row.course_id or row.id,
                    requirement_name=row.course_name,
                    expiry_date=row.expiration_date,
                    days_until_expiry=(row.expiration_date - standing.today).days,
                    status=CertStatus.EXPIRED
                    if row.expiration_date < standing.today
                    else CertStatus.EXPIRING_SOON,
                )
            )
        return listed

    async def compliance_matrix(self) -> ComplianceMatrix:
        """Active, non-exempt members x active requirements by name; a member has cells for the
        requirements that apply to them only, and `completion_pct` is over those [fix]."""
        requirements, verdicts_by_member = await self.matrix()
        members = []
        for person, verdicts in verdicts_by_member:
            cells = [
                MatrixCell(
                    requirement_id=row.id,
                    requirement_name=row.name,
                    status=evaluation.status,
                    completion_date=evaluation.latest_completion,
                    expiry_date=evaluation.latest_expiry,
                )
                for row, evaluation in verdicts
            ]
            done = sum(cell.status == CellStatus.COMPLETED for cell in cells)
            members.append(
                MatrixMember(
                    user_id=person.id,
                    member_name=person.sort_name,
                    requirements=cells,
                    completion_pct=percentage(done, len(cells), 1),
                )
            )
        return ComplianceMatrix(
            members=members,
            requirements=[MatrixRequirement(row.id, row.name) for row, _ in requirements],
            generated_at=utc_now(),
        )

    async def _current_expiring(
        self, last: date, user_id: UUID | None = None
    ) -> Sequence[TrainingRecord]:
        """Expiring records that are still their member's newest of the certification: a
        renewal hides the record it replaced (§6 [fix])."""
        rows = await self.compliance.expiring(last, user_id)
        if not rows:
            return []
        held = await self.compliance.records_by_member({row.user_id for row in rows})
        current = {record.id for records in held.values() for record in current_records(records)}
        return [row for row in rows if row.id in current]
