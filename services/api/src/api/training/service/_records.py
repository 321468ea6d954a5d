"""Training records one at a time (spec training.md §4.2): the list, create with its
expiration, profile defaults and duplicate warning, edit, void."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import msgspec

from api.training.dates import add_months
from api.training.errors import (
    CategoryNotFoundError,
    CourseNotFoundError,
    MemberNotFoundError,
    RecordVoidedError,
)
from api.training.repository import DUPLICATE_DAYS, Completion, MemberProfile
from api.training.schemas import (
    CreatedRecordRead,
    DuplicateWarning,
    RecordCreate,
    RecordFilters,
    RecordRead,
    RecordUpdate,
)
from api.training.service._base import TrainingServiceBase
from api.training.service._shapes import (
    completed,
    creation_events,
    record_facts,
    record_read,
)
from shared.events.contracts.training import RecordUpdated, RecordVoided
from shared.models import TrainingRecord, TrainingStatus

DUPLICATE_MESSAGE = "A similar training record already exists for this member"


def expiration_for(completion: date | None, months: int | None, given: date | None) -> date | None:
    """The record's expiration: as given, else the completion plus the course's months when
    both are known and the course expires (§4.2, §8.2)."""
    if given is not None or completion is None or not months:
        return given
    return add_months(completion, months)


def duplicate_of(
    existing: Sequence[Completion], user_id: UUID, course_name: str, completion: date | None
) -> Completion | None:
    """The first of `existing` that a new completion duplicates: same member, course name in
    any case, completed within a day (§8.3). Undated records duplicate nothing."""
    if completion is None:
        return None
    key = course_name.lower()
    for row in existing:
        if (
            row.user_id == user_id
            and row.course_key == key
            and abs((row.completion_date - completion).days) <= DUPLICATE_DAYS
        ):
            return row
    return None


def new_record(
    organization_id: UUID,
    created_by: UUID,
    member: MemberProfile,
    fields: dict[str, Any],
) -> TrainingRecord:
    """A record of the member from a body's fields; rank and station from the profile when
    the body leaves them out."""
    # The id is set now: a bulk entry refers to the rows it creates before they are written.
    record = TrainingRecord(
        id=uuid4(), organization_id=organization_id, created_by=created_by, **fields
    )
    if record.rank_at_completion is None:
        record.rank_at_completion = member.rank
    if record.station_at_completion is None:
        record.station_at_completion = member.station
    return record


class RecordTopic(TrainingServiceBase):
    """One record at a time: who sees which, and the rules of a write."""

    async def list_records(self, filters: RecordFilters) -> list[RecordRead]:
        """Records newest completion first; a member always gets only their own (§8.4)."""
        if not self.manages:
            filters = replace(filters, user_id=self.principal.user_id)
        return [record_read(record) for record in await self.records.listed(filters)]

    async def create_record(self, request: RecordCreate) -> CreatedRecordRead:
        """A new record of a member of the organization (404 for a foreign member, category
        or course), its expiration computed from the course, with a duplicate warning."""
        member = await self._member(request.user_id)
        if request.category_id is not None and not await self.categories.known(
            {request.category_id}
        ):
            raise CategoryNotFoundError
        months: int | None = None
        if request.course_id is not None:
            known = await self.courses.expiration_months({request.course_id})
            if request.course_id not in known:
                raise CourseNotFoundError
            months = known[request.course_id]
        fields = msgspec.structs.asdict(request)
        fields["expiration_date"] = expiration_for(
            request.completion_date, months, request.expiration_date
        )
        duplicate = None
        if request.completion_date is not None:
            near = await self.records.completions_near(
                {request.user_id},
                {request.course_name.lower()},
                request.completion_date,
                request.completion_date,
            )
            duplicate = duplicate_of(
                near, request.user_id, request.course_name, request.completion_date
            )
        record = new_record(self.principal.organization_id, self.principal.user_id, member, fields)
        await self.records.add([record])
        await self._record(
            "training_record_created",
            record_id=str(record.id),
            target_user_id=str(record.user_id),
            course_name=record.course_name,
            status=record.status.value,
            hours_completed=record.hours_completed,
        )
        for event in creation_events(record):
            self._publish(event)
        shown = msgspec.structs.asdict(record_read(record))
        if duplicate is None:
            return CreatedRecordRead(**shown)
        warning = DuplicateWarning(message=DUPLICATE_MESSAGE, existing_record_id=duplicate.id)
        return CreatedRecordRead(**shown, duplicate_warning=warning)

    async def update_record(self, record_id: UUID, request: RecordUpdate) -> RecordRead:
        """Set the fields sent; nothing is recomputed, except that a record becoming
        `completed` without any completion date gets today's (§4.2 [fix])."""
        record = await self._locked_record(record_id)
        changes = {
            key: value
            for key, value in msgspec.structs.asdict(request).items()
            if value is not msgspec.UNSET
        }
        if changes.get("category_id") is not None and not await self.categories.known(
            {changes["category_id"]}
        ):
            raise CategoryNotFoundError
        if changes.get("course_id") is not None and not await self.courses.known(
            {changes["course_id"]}
        ):
            raise CourseNotFoundError
        was_completed = record.status is TrainingStatus.COMPLETED
        becomes_completed = not was_completed and (
            changes.get("status", record.status) is TrainingStatus.COMPLETED
        )
        if becomes_completed and changes.get("completion_date", record.completion_date) is None:
            changes["completion_date"] = await self._today()
        changed = sorted(key for key, value in changes.items() if getattr(record, key) != value)
        if not changed:
            return record_read(record)
        for key in changed:
            setattr(record, key, changes[key])
        await self.records.flush()
        await self._record(
            "training_record_updated",
            record_id=str(record.id),
            target_user_id=str(record.user_id),
            course_name=record.course_name,
            fields_changed=changed,
            completed=becomes_completed,
        )
        self._publish(RecordUpdated(**record_facts(record), changed_fields=changed))
        if becomes_completed:
            self._publish(completed(record))
        return record_read(record)

    async def void_record(self, record_id: UUID, reason: str | None) -> None:
        """Void the record: it stays, `cancelled`, with a marker line in its notes; a voided
        record is refused (400)."""
        record = await self._locked_record(record_id)
        if record.status is TrainingStatus.CANCELLED:
            raise RecordVoidedError
        marker = f"[VOIDED by {self.principal.username}: {reason or 'No reason given'}]"
        record.notes = f"{record.notes}\n{marker}" if record.notes else marker
        record.status = TrainingStatus.CANCELLED
        await self.records.flush()
        await self._record(
            "training_record_voided",
            "warning",
            record_id=str(record.id),
            target_user_id=str(record.user_id),
            course_name=record.course_name,
            reason=reason,
        )
        self._publish(RecordVoided(**record_facts(record)))

    async def _member(self, user_id: UUID) -> MemberProfile:
        """The organization's member (404 for anyone else)."""
        found = (await self.members.profiles({user_id})).get(user_id)
        if found is None:
            raise MemberNotFoundError
        return found
