"""Queries of the organization's training requirements (spec training.md §4.3)."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from shared.db.repository import TenantRepository
from shared.models import TrainingRequirement


class RequirementRepository(TenantRepository[TrainingRequirement]):
    """The caller's organization's training requirements."""

    model = TrainingRequirement

    async def listed(
        self, *, year: int | None = None, active_only: bool = True
    ) -> Sequence[TrainingRequirement]:
        """Requirements by due date (undated last), then name; `year` keeps exactly that year."""
        stmt = self.scoped()
        if year is not None:
            stmt = stmt.where(TrainingRequirement.year == year)
        if active_only:
            stmt = stmt.where(TrainingRequirement.active.is_(True))
        stmt = stmt.order_by(
            TrainingRequirement.due_date.is_(None),
            TrainingRequirement.due_date,
            TrainingRequirement.name,
            TrainingRequirement.id,
        )
        return (await self.session.scalars(stmt)).all()

    async def active_by_name(self) -> Sequence[TrainingRequirement]:
        """The active requirements by name: what compliance evaluates (§4.5 matrix order)."""
        stmt = (
            self.scoped()
            .where(TrainingRequirement.active.is_(True))
            .order_by(TrainingRequirement.name, TrainingRequirement.id)
        )
        return (await self.session.scalars(stmt)).all()

    async def get_for_update(self, requirement_id: UUID) -> TrainingRequirement | None:
        """The requirement, locked until commit and read afresh."""
        stmt = (
            self.scoped()
            .where(TrainingRequirement.id == requirement_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).first()

    async def save(self, requirement: TrainingRequirement, fields: dict[str, Any]) -> None:
        """Set `fields` and write the requirement."""
        for key, value in fields.items():
            setattr(requirement, key, value)
        self.session.add(requirement)
        await self.session.flush()

    async def remove(self, requirement: TrainingRequirement) -> None:
        """Delete the requirement for good (§8.5)."""
        await self.session.delete(requirement)
        await self.session.flush()
