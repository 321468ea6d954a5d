"""The training figure of the administrators' dashboard summary (issue 14 item 1): how much of
what applies to the active, non-exempt members they have completed, from the same verdicts as
the compliance matrix (spec training.md §5: one engine for every reader)."""

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from api.training.compliance import percentage
from api.training.repository import ComplianceRepository, MemberRepository, RequirementRepository
from api.training.service import matrix_verdicts, standing_of


@dataclass
class TrainingFigures:
    """`training_completion_pct`: completed matrix cells / all cells, in percent (1 dp); 0 when
    nothing applies to anyone."""

    session: AsyncSession
    organization_id: UUID

    async def figures(self) -> Mapping[str, int | float]:
        """The figure by summary field name."""
        org = self.organization_id
        standing = standing_of(await MemberRepository(self.session, org).organization())
        _, verdicts = await matrix_verdicts(
            standing,
            RequirementRepository(self.session, org),
            ComplianceRepository(self.session, org),
        )
        cells = [evaluation for _, member in verdicts for _, evaluation in member]
        done = sum(evaluation.is_met for evaluation in cells)
        return {"training_completion_pct": percentage(done, len(cells), 1)}
