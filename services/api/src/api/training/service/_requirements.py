"""Training requirements (spec training.md §4.3): the list with checklist steps filtered for
members, create with its target checked (422) and its courses the organization's (400), partial
edits, permanent deletion; every change audited [fix] and announced (§9)."""

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

import msgspec
from litestar.exceptions import ValidationException

from api.training.errors import InvalidReferenceError, RequirementNotFoundError
from api.training.permissions import VIEW_ALL
from api.training.schemas import (
    ChecklistItem,
    ChecklistItemRead,
    RequirementCreate,
    RequirementRead,
    RequirementUpdate,
)
from api.training.service._base import TrainingServiceBase
from shared.events.contracts.training import ChangeVerb, RequirementChanged
from shared.models import RequirementType, TrainingRequirement
from shared.permissions import grants

# The field holding each type's target (§4.3): missing or zero is a 422 on create and a
# `config_warning` on read.
TARGETS = {
    RequirementType.HOURS: "required_hours",
    RequirementType.COURSES: "required_courses",
    RequirementType.SHIFTS: "required_shifts",
    RequirementType.CALLS: "required_calls",
    RequirementType.KNOWLEDGE_TEST: "passing_score",
}
# Id lists a requirement keeps as JSON text.
ID_LISTS = ("required_courses", "required_roles", "category_ids")
_PLAIN = tuple(
    field.name
    for field in msgspec.structs.fields(RequirementRead)
    if field.name not in {"checklist_items", "config_warning"}
)


class RequirementTopic(TrainingServiceBase):
    """Reading and changing the organization's training requirements."""

    async def list_requirements(
        self, *, year: int | None, active_only: bool
    ) -> list[RequirementRead]:
        """Requirements by due date; `year` keeps exactly that year (§8.7). Members without
        `training.manage` or `training.view_all` never see officer-only checklist steps (§8.6)."""
        rows = await self.requirements.listed(year=year, active_only=active_only)
        everything = self.manages or grants(self.principal.permissions, VIEW_ALL)
        return [requirement_read(row, members_view=not everything) for row in rows]

    async def create_requirement(self, request: RequirementCreate) -> RequirementRead:
        """A new requirement: its type's target set (422), its courses the organization's (400)."""
        target = TARGETS.get(request.requirement_type)
        if target is not None and not getattr(request, target):
            raise _invalid(target, f"Required for a {request.requirement_type.value} requirement")
        await self._check_courses(request.required_courses)
        requirement = TrainingRequirement(
            organization_id=self.principal.organization_id, created_by=self.principal.user_id
        )
        await self.requirements.save(requirement, _stored(msgspec.structs.asdict(request)))
        await self._changed(requirement, "created")
        return requirement_read(requirement)

    async def update_requirement(
        self, requirement_id: UUID, request: RequirementUpdate
    ) -> RequirementRead:
        """Set the fields sent (`active: false` deactivates); courses are checked again (400),
        targets are not: the answer's `config_warning` flags a missing one."""
        requirement = await self._locked_requirement(requirement_id)
        changes = {
            key: value
            for key, value in msgspec.structs.asdict(request).items()
            if value is not msgspec.UNSET
        }
        await self._check_courses(changes.get("required_courses"))
        stored = _stored(changes)
        changed = sorted(key for key, value in stored.items() if getattr(requirement, key) != value)
        await self.requirements.save(requirement, stored)
        await self._changed(requirement, "updated", fields_changed=changed)
        return requirement_read(requirement)

    async def delete_requirement(self, requirement_id: UUID) -> None:
        """Delete the requirement for good (§8.5)."""
        requirement = await self._locked_requirement(requirement_id)
        await self._changed(requirement, "deleted")
        await self.requirements.remove(requirement)

    async def _locked_requirement(self, requirement_id: UUID) -> TrainingRequirement:
        found = await self.requirements.get_for_update(requirement_id)
        if found is None:
            raise RequirementNotFoundError
        return found

    async def _check_courses(self, course_ids: Iterable[UUID] | None) -> None:
        """Every linked course must be one of the organization's (§4.3, 400)."""
        wanted = set(course_ids or ())
        if wanted - await self.courses.known(wanted):
            raise InvalidReferenceError("A required course is not one of the organization's")

    async def _changed(
        self, requirement: TrainingRequirement, verb: ChangeVerb, **details: Any
    ) -> None:
        """Audit the change [fix] and announce it (§9)."""
        await self._record(
            f"training_requirement_{verb}",
            requirement_id=str(requirement.id),
            name=requirement.name,
            **details,
        )
        self._publish(RequirementChanged(requirement_id=requirement.id, verb=verb))


def requirement_read(row: TrainingRequirement, *, members_view: bool = False) -> RequirementRead:
    """The requirement as the API answers it; a member's view leaves out officer-only steps."""
    steps = checklist(row.checklist_items)
    if members_view and steps is not None:
        steps = [step for step in steps if step.member_visible]
    return RequirementRead(
        **{name: getattr(row, name) for name in _PLAIN},
        checklist_items=steps,
        config_warning=config_warning(row),
    )


def config_warning(row: TrainingRequirement) -> str | None:
    """What is missing for the requirement to ever be met (its type's target), else None."""
    target = TARGETS.get(row.requirement_type)
    if target is None or getattr(row, target):
        return None
    return f"This {row.requirement_type.value} requirement has no {target} set: it can never be met"


def checklist(stored: Sequence[Any] | None) -> list[ChecklistItemRead] | None:
    """Stored steps as objects; a legacy bare string is a visible step with that text."""
    if stored is None:
        return None
    steps = []
    for item in stored:
        if isinstance(item, str):
            steps.append(ChecklistItemRead(None, item, True, False))
        elif isinstance(item, dict) and isinstance(item.get("text"), str):
            steps.append(
                ChecklistItemRead(
                    item["id"] if isinstance(item.get("id"), str) else None,
                    item["text"],
                    item.get("member_visible") is not False,
                    item.get("member_can_complete") is True,
                )
            )
    return steps


def _stored(fields: dict[str, Any]) -> dict[str, Any]:
    """Body fields as the columns hold them: id lists as text (each id once), checklist steps as
    objects."""
    stored = dict(fields)
    for key in ID_LISTS:
        if stored.get(key) is not None:
            stored[key] = [str(value) for value in dict.fromkeys(stored[key])]
    if stored.get("checklist_items") is not None:
        stored["checklist_items"] = [
            msgspec.to_builtins(ChecklistItem(text=item) if isinstance(item, str) else item)
            for item in stored["checklist_items"]
        ]
    return stored


def _invalid(field: str, message: str) -> ValidationException:
    """The 422 of a rule between body fields that the types alone cannot express."""
    return ValidationException(extra=[{"key": field, "message": message}])
