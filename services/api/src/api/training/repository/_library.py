"""Queries of the organization's training categories and courses (the course library)."""

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import select

from shared.db.repository import TenantRepository
from shared.models import TrainingCategory, TrainingCourse


class CategoryRepository(TenantRepository[TrainingCategory]):
    """The caller's organization's training categories."""

    model = TrainingCategory

    async def listed(self, *, active_only: bool) -> Sequence[TrainingCategory]:
        """Categories by sort order, then name (§4.1)."""
        stmt = self.scoped()
        if active_only:
            stmt = stmt.where(TrainingCategory.active.is_(True))
        stmt = stmt.order_by(
            TrainingCategory.sort_order, TrainingCategory.name, TrainingCategory.id
        )
        return (await self.session.scalars(stmt)).all()

    async def get_for_update(self, category_id: UUID) -> TrainingCategory | None:
        """The category, locked until commit and read afresh."""
        stmt = (
            self.scoped()
            .where(TrainingCategory.id == category_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).first()

    async def known(self, category_ids: Iterable[UUID]) -> set[UUID]:
        """Which of these ids are categories of the organization (inactive ones too)."""
        ids = set(category_ids)
        if not ids:
            return set()
        stmt = select(TrainingCategory.id).where(
            TrainingCategory.organization_id == self.organization_id, TrainingCategory.id.in_(ids)
        )
        return set((await self.session.scalars(stmt)).all())

    async def parents(self) -> dict[UUID, UUID | None]:
        """Every category's parent, to walk the tree without a query per level."""
        stmt = select(TrainingCategory.id, TrainingCategory.parent_category_id).where(
            TrainingCategory.organization_id == self.organization_id
        )
        return {row.id: row.parent_category_id for row in await self.session.execute(stmt)}

    async def save(self, category: TrainingCategory, fields: dict[str, Any]) -> None:
        """Set `fields` and write the category."""
        for key, value in fields.items():
            setattr(category, key, value)
        self.session.add(category)
        await self.session.flush()


class CourseRepository(TenantRepository[TrainingCourse]):
    """The caller's organization's course library."""

    model = TrainingCourse

    async def listed(self, *, active_only: bool) -> Sequence[TrainingCourse]:
        """Courses by name (§4.1)."""
        stmt = self.scoped()
        if active_only:
            stmt = stmt.where(TrainingCourse.active.is_(True))
        stmt = stmt.order_by(TrainingCourse.name, TrainingCourse.id)
        return (await self.session.scalars(stmt)).all()

    async def get_for_update(self, course_id: UUID) -> TrainingCourse | None:
        """The course, locked until commit and read afresh."""
        stmt = (
            self.scoped()
            .where(TrainingCourse.id == course_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).first()

    async def known(self, course_ids: Iterable[UUID]) -> set[UUID]:
        """Which of these ids are courses of the organization (inactive ones too)."""
        ids = set(course_ids)
        if not ids:
            return set()
        stmt = select(TrainingCourse.id).where(
            TrainingCourse.organization_id == self.organization_id, TrainingCourse.id.in_(ids)
        )
        return set((await self.session.scalars(stmt)).all())

    async def expiration_months(self, course_ids: Iterable[UUID]) -> dict[UUID, int | None]:
        """Each of these courses' validity in months (null or 0: never expires), for the
        organization's courses only."""
        ids = set(course_ids)
        if not ids:
            return {}
        stmt = select(TrainingCourse.id, TrainingCourse.expiration_months).where(
            TrainingCourse.organization_id == self.organization_id, TrainingCourse.id.in_(ids)
        )
        return {row.id: row.expiration_months for row in await self.session.execute(stmt)}

    async def save(self, course: TrainingCourse, fields: dict[str, Any]) -> None:
        """Set `fields` and write the course."""
        for key, value in fields.items():
            setattr(course, key, value)
        self.session.add(course)
        await self.session.flush()
