"""The compliance matrix's verdicts, computed once at a time per organization on this instance.

The matrix (and the dashboard's training figure, read from the same verdicts) evaluates every
active member against every requirement: about half a second, and the organization's whole
training history in memory, for 500 members and 20,000 records. Requests that arrive while one
computation is running share it instead of starting another, so eight officers opening the
matrix together cost one computation's time and memory rather than eight in a queue. The
project's one loading cache does the sharing (`shared/cache.py`), keeping nothing once the
computation has answered: a shared answer is at most one computation old (its reads began before
the later callers arrived), and the next request reads afresh. It reads in a session of its own,
since the callers it answers come and go independently.
"""

from uuid import UUID

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.training.repository import ComplianceRepository, MemberRepository, RequirementRepository
from api.training.service import MatrixVerdicts, matrix_verdicts, standing_of
from shared.cache import LoadingCache


class MatrixRuns:
    """This instance's matrix computations in flight, by organization."""

    def __init__(self) -> None:
        # ttl 0: an answer is shared while it is being computed, never kept after (so the size
        # of what is kept does not matter: maxsize bounds kept values, not computations).
        self._running: LoadingCache[UUID, MatrixVerdicts] = LoadingCache(ttl=0, maxsize=1)

    async def verdicts(
        self, organization_id: UUID, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> MatrixVerdicts:
        """The organization's requirements and members' verdicts, as of now, read
        through `sessionmaker` (the app's: tests swap it for their own)."""

        async def compute() -> MatrixVerdicts:
            async with sessionmaker() as session:
                organization = await MemberRepository(session, organization_id).organization()
                return await matrix_verdicts(
                    standing_of(organization),
                    RequirementRepository(session, organization_id),
                    ComplianceRepository(session, organization_id),
                )

        return await self._running.get(organization_id, compute)

    async def close(self) -> None:
        await self._running.close()


def start_matrix_runs(app: Litestar) -> None:
    """This instance's matrix computations (an `on_startup` hook)."""
    app.state.matrix_runs = MatrixRuns()


async def stop_matrix_runs(app: Litestar) -> None:
    """Cancel the computations still running (an `on_shutdown` hook)."""
    runs: MatrixRuns | None = app.state.get("matrix_runs")
    if runs is not None:
        await runs.close()
