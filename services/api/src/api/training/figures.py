"""The training figure of the administrators' dashboard summary (issue 14 item 1): how much of
what applies to the active, non-exempt members they have completed, from the same verdicts as
the compliance matrix (spec training.md §5: one engine for every reader)."""

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.training.compliance import percentage
from api.training.matrix_runs import MatrixRuns


@dataclass
class TrainingFigures:
    """`training_completion_pct`: completed matrix cells / all cells, in percent (1 dp); 0 when
    nothing applies to anyone."""

    runs: MatrixRuns
    organization_id: UUID
    sessionmaker: async_sessionmaker[AsyncSession]

    async def figures(self) -> Mapping[str, int | float]:
        """The figure by summary field name."""
        verdicts = (await self.runs.verdicts(self.organization_id, self.sessionmaker)).members
        cells = [evaluation for _, member in verdicts for _, evaluation in member]
        done = sum(evaluation.is_met for evaluation in cells)
        return {"training_completion_pct": percentage(done, len(cells), 1)}
