"""The course library (spec training.md §4.1): categories and courses, their references
checked against the organization [fix], every change audited [fix]."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import msgspec

from api.training.errors import CategoryNotFoundError, CourseNotFoundError, InvalidReferenceError
from api.training.schemas import CategoryCreate, CategoryUpdate, CourseCreate, CourseUpdate
from api.training.service._base import TrainingServiceBase
from shared.events.contracts.training import CategoryChanged, CourseChanged
from shared.models import TrainingCategory, TrainingCourse

# Id lists a course keeps as JSON: stored as text, checked against the organization.
COURSE_ID_LISTS = ("prerequisites", "category_ids")


def _sent(body: msgspec.Struct) -> dict[str, Any]:
    """The fields a partial body carries."""
    return {
        key: value
        for key, value in msgspec.structs.asdict(body).items()
        if value is not msgspec.UNSET
    }


def _stored_ids(values: list[UUID] | None) -> list[str] | None:
    """An id list as the JSON column holds it, each id once, in the order sent."""
    return None if values is None else [str(value) for value in dict.fromkeys(values)]


class LibraryTopic(TrainingServiceBase):
    """Reading and changing the organization's categories and courses."""

    async def list_categories(self, *, active_only: bool) -> Sequence[TrainingCategory]:
        """Categories by sort order, then name."""
        return await self.categories.listed(active_only=active_only)

    async def get_category(self, category_id: UUID) -> TrainingCategory:
        """One category, inactive ones included (404 when unknown or foreign)."""
        return await self._category(category_id)

    async def create_category(self, request: CategoryCreate) -> TrainingCategory:
        """A new category under an existing one of the organization, if any (400 else)."""
        if request.parent_category_id is not None:
            await self._check_categories({request.parent_category_id}, "Invalid parent category")
        category = TrainingCategory(
            organization_id=self.principal.organization_id, created_by=self.principal.user_id
        )
        await self.categories.save(category, msgspec.structs.asdict(request))
        await self._record(
            "training_category_created", category_id=str(category.id), name=category.name
        )
        self._publish(CategoryChanged(category_id=category.id, verb="created"))
        return category

    async def update_category(self, category_id: UUID, request: CategoryUpdate) -> TrainingCategory:
        """Set the fields sent; the parent must be the organization's and not the category
        itself or one below it (400)."""
        category = await self._locked_category(category_id)
        changes = _sent(request)
        parent = changes.get("parent_category_id")
        if parent is not None and parent != category.parent_category_id:
            await self._check_categories({parent}, "Invalid parent category")
            await self._refuse_cycle(category.id, parent)
        changed = sorted(key for key, value in changes.items() if getattr(category, key) != value)
        await self.categories.save(category, changes)
        await self._record(
            "training_category_updated",
            category_id=str(category.id),
            name=category.name,
            fields_changed=changed,
        )
        self._publish(CategoryChanged(category_id=category.id, verb="updated"))
        return category

    async def delete_category(self, category_id: UUID) -> None:
        """Deactivate the category (a soft delete; again is a no-op)."""
        category = await self._locked_category(category_id)
        if not category.active:
            return
        await self.categories.save(category, {"active": False})
        await self._record(
            "training_category_deleted", category_id=str(category.id), name=category.name
        )
        self._publish(CategoryChanged(category_id=category.id, verb="deleted"))

    async def list_courses(self, *, active_only: bool) -> Sequence[TrainingCourse]:
        """Courses by name."""
        return await self.courses.listed(active_only=active_only)

    async def get_course(self, course_id: UUID) -> TrainingCourse:
        """One course, inactive ones included (404 when unknown or foreign)."""
        return await self._course(course_id)

    async def create_course(self, request: CourseCreate) -> TrainingCourse:
        """A new course; its prerequisites and categories must be the organization's (400)."""
        fields = msgspec.structs.asdict(request)
        await self._check_course_lists(fields, course_id=None)
        course = TrainingCourse(
            organization_id=self.principal.organization_id, created_by=self.principal.user_id
        )
        await self.courses.save(course, _course_fields(fields))
        await self._record("training_course_created", course_id=str(course.id), name=course.name)
        self._publish(CourseChanged(course_id=course.id, verb="created"))
        return course

    async def update_course(self, course_id: UUID, request: CourseUpdate) -> TrainingCourse:
        """Set the fields sent (`active: false` deactivates), the id lists checked again."""
        course = await self._locked_course(course_id)
        changes = _course_fields(_sent(request))
        await self._check_course_lists(_sent(request), course_id=course.id)
        changed = sorted(key for key, value in changes.items() if getattr(course, key) != value)
        await self.courses.save(course, changes)
        await self._record(
            "training_course_updated",
            course_id=str(course.id),
            name=course.name,
            fields_changed=changed,
        )
        self._publish(CourseChanged(course_id=course.id, verb="updated"))
        return course

    async def _locked_category(self, category_id: UUID) -> TrainingCategory:
        found = await self.categories.get_for_update(category_id)
        if found is None:
            raise CategoryNotFoundError
        return found

    async def _locked_course(self, course_id: UUID) -> TrainingCourse:
        found = await self.courses.get_for_update(course_id)
        if found is None:
            raise CourseNotFoundError
        return found

    async def _check_categories(self, ids: set[UUID], message: str) -> None:
        """400 unless every id is a category of the organization."""
        if ids - await self.categories.known(ids):
            raise InvalidReferenceError(message)

    async def _check_course_lists(self, fields: dict[str, Any], *, course_id: UUID | None) -> None:
        """400 unless the prerequisites are other courses and the categories are categories
        of the organization (§4.1 [fix])."""
        prerequisites = set(fields.get("prerequisites") or ())
        if prerequisites:
            if course_id in prerequisites:
                raise InvalidReferenceError("A course cannot be its own prerequisite")
            if prerequisites - await self.courses.known(prerequisites):
                raise InvalidReferenceError("Invalid prerequisite course")
        await self._check_categories(set(fields.get("category_ids") or ()), "Invalid category")

    async def _refuse_cycle(self, category_id: UUID, parent_id: UUID) -> None:
        """400 when `parent_id` is the category itself or lies below it."""
        parents = await self.categories.parents()
        node: UUID | None = parent_id
        seen: set[UUID] = set()
        while node is not None and node not in seen:
            if node == category_id:
                raise InvalidReferenceError("A category cannot be placed under itself")
            seen.add(node)
            node = parents.get(node)


def _course_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """A course body's fields as the columns hold them (id lists as text)."""
    return {
        key: _stored_ids(value) if key in COURSE_ID_LISTS else value
        for key, value in fields.items()
    }
