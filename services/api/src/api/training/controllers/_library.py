"""Routes of `/api/v1/training/categories` and `/courses` (spec training.md §3 #1 to #9)."""

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.training.deps import TRAINING_DEPENDENCIES
from api.training.permissions import TRAINING_MANAGE, member
from api.training.schemas import (
    CategoryCreate,
    CategoryRead,
    CategoryUpdate,
    CourseCreate,
    CourseRead,
    CourseUpdate,
)
from api.training.service import TrainingService
from shared.errors import documented_error
from shared.models import TrainingCategory, TrainingCourse

CATEGORY_NOT_FOUND = documented_error("No such category in the organization")
COURSE_NOT_FOUND = documented_error("No such course in the organization")
BAD_PARENT = documented_error(
    "The parent is not a category of the organization, or is the category itself or below it"
)
BAD_LISTS = documented_error(
    "A prerequisite or category id is not the organization's (or is the course itself)"
)
ActiveOnly = Annotated[bool, QueryParameter(description="Hide inactive ones")]


class CategoryController(Controller):
    """Groups of courses and records, in the officer's order."""

    path = "/categories"
    dependencies = TRAINING_DEPENDENCIES

    @get("/", guards=[member])
    async def list_categories(
        self, training: NamedDependency[TrainingService], active_only: ActiveOnly = True
    ) -> list[CategoryRead]:
        """Categories by sort order, then name; no paging."""
        rows = await training.list_categories(active_only=active_only)
        return [category_read(row) for row in rows]

    @post("/", status_code=201, guards=[TRAINING_MANAGE], responses={400: BAD_PARENT})
    async def create_category(
        self, data: JSONBody[CategoryCreate], training: NamedDependency[TrainingService]
    ) -> CategoryRead:
        """Add a category."""
        return category_read(await training.create_category(data))

    @get("/{category_id:str}", guards=[member], responses={404: CATEGORY_NOT_FOUND})
    async def get_category(
        self, category_id: FromPath[UUID], training: NamedDependency[TrainingService]
    ) -> CategoryRead:
        """One category, inactive ones included."""
        return category_read(await training.get_category(category_id))

    @patch(
        "/{category_id:str}",
        guards=[TRAINING_MANAGE],
        responses={400: BAD_PARENT, 404: CATEGORY_NOT_FOUND},
    )
    async def update_category(
        self,
        category_id: FromPath[UUID],
        data: JSONBody[CategoryUpdate],
        training: NamedDependency[TrainingService],
    ) -> CategoryRead:
        """Change the fields sent; `active: true` reactivates."""
        return category_read(await training.update_category(category_id, data))

    @delete(
        "/{category_id:str}",
        status_code=204,
        guards=[TRAINING_MANAGE],
        responses={404: CATEGORY_NOT_FOUND},
    )
    async def delete_category(
        self, category_id: FromPath[UUID], training: NamedDependency[TrainingService]
    ) -> None:
        """Deactivate the category (a soft delete; again changes nothing)."""
        await training.delete_category(category_id)


class CourseController(Controller):
    """The course library; courses are deactivated, never deleted."""

    path = "/courses"
    dependencies = TRAINING_DEPENDENCIES

    @get("/", guards=[member])
    async def list_courses(
        self, training: NamedDependency[TrainingService], active_only: ActiveOnly = True
    ) -> list[CourseRead]:
        """Courses by name; no paging."""
        return [course_read(row) for row in await training.list_courses(active_only=active_only)]

    @post("/", status_code=201, guards=[TRAINING_MANAGE], responses={400: BAD_LISTS})
    async def create_course(
        self, data: JSONBody[CourseCreate], training: NamedDependency[TrainingService]
    ) -> CourseRead:
        """Add a course to the library."""
        return course_read(await training.create_course(data))

    @get("/{course_id:str}", guards=[member], responses={404: COURSE_NOT_FOUND})
    async def get_course(
        self, course_id: FromPath[UUID], training: NamedDependency[TrainingService]
    ) -> CourseRead:
        """One course, inactive ones included."""
        return course_read(await training.get_course(course_id))

    @patch(
        "/{course_id:str}",
        guards=[TRAINING_MANAGE],
        responses={400: BAD_LISTS, 404: COURSE_NOT_FOUND},
    )
    async def update_course(
        self,
        course_id: FromPath[UUID],
        data: JSONBody[CourseUpdate],
        training: NamedDependency[TrainingService],
    ) -> CourseRead:
        """Change the fields sent; `active: false` deactivates."""
        return course_read(await training.update_course(course_id, data))


def category_read(category: TrainingCategory) -> CategoryRead:
    """The category as the API answers it."""
    return msgspec.convert(category, CategoryRead, from_attributes=True)


def course_read(course: TrainingCourse) -> CourseRead:
    """The course as the API answers it."""
    return msgspec.convert(course, CourseRead, from_attributes=True)
