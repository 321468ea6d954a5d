"""Queries of the organization's leaves of absence and training waivers (spec
leaves-waivers-ranks-errors.md §1, §2): lists, locked reads, writes."""

from collections.abc import Iterable, Sequence
from typing import TypeVar
from uuid import UUID

from sqlalchemy import Select, select

from api.training.schemas import PeriodFilters
from shared.db.repository import TenantRepository
from shared.models import MemberLeaveOfAbsence, TrainingRequirement, TrainingWaiver

Period = TypeVar("Period", MemberLeaveOfAbsence, TrainingWaiver)


def _listed(stmt: Select[Period], model: type[Period], filters: PeriodFilters) -> Select[Period]:
    """A page of leaves or waivers, latest start first (§1.2, §2)."""
    if filters.user_id is not None:
        stmt = stmt.where(model.user_id == filters.user_id)
    if filters.active_only:
        stmt = stmt.where(model.active.is_(True))
    return (
        stmt.order_by(model.start_date.desc(), model.created_at.desc(), model.id)
        .offset(filters.skip)
        .limit(filters.limit)
    )


class LeaveRepository(TenantRepository[MemberLeaveOfAbsence]):
    """The caller's organization's leaves of absence."""

    model = MemberLeaveOfAbsence

    async def listed(self, filters: PeriodFilters) -> Sequence[MemberLeaveOfAbsence]:
        """A page of leaves, latest start first."""
        stmt = _listed(self.scoped(), MemberLeaveOfAbsence, filters)
        return (await self.session.scalars(stmt)).all()

    async def get_for_update(self, leave_id: UUID) -> MemberLeaveOfAbsence | None:
        """The leave, locked until commit and read afresh."""
        stmt = (
            self.scoped()
            .where(MemberLeaveOfAbsence.id == leave_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).first()

    async def add(self, leave: MemberLeaveOfAbsence) -> None:
        """Insert a new leave."""
        self.session.add(leave)
        await self.session.flush()

    async def flush(self) -> None:
        """Write the changes made to loaded leaves."""
        await self.session.flush()


class WaiverRepository(TenantRepository[TrainingWaiver]):
    """The caller's organization's training waivers, and the requirements they may name."""

    model = TrainingWaiver

    async def listed(self, filters: PeriodFilters) -> Sequence[TrainingWaiver]:
        """A page of waivers, latest start first; those linked to a leave included."""
        stmt = _listed(self.scoped(), TrainingWaiver, filters)
        return (await self.session.scalars(stmt)).all()

    async def get_for_update(self, waiver_id: UUID) -> TrainingWaiver | None:
        """The waiver, locked until commit and read afresh."""
        stmt = (
            self.scoped()
            .where(TrainingWaiver.id == waiver_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).first()

    async def add(self, waiver: TrainingWaiver) -> None:
        """Insert a new waiver."""
        self.session.add(waiver)
        await self.session.flush()

    async def flush(self) -> None:
        """Write the changes made to loaded waivers."""
        await self.session.flush()

    async def known_requirements(self, requirement_ids: Iterable[UUID]) -> set[UUID]:
        """Which of these ids are requirements of the organization."""
        ids = set(requirement_ids)
        if not ids:
            return set()
        stmt = select(TrainingRequirement.id).where(
            TrainingRequirement.organization_id == self.organization_id,
            TrainingRequirement.id.in_(ids),
        )
        return set(await self.session.scalars(stmt))
