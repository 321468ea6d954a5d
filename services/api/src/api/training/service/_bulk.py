"""Bulk record entry (spec training.md §4.2): up to 500 rows in the request's one
transaction, duplicates skipped unless overridden, a result per row."""

from uuid import UUID

import msgspec

from api.training.repository import Completion
from api.training.schemas import BulkDuplicate, BulkEntry, BulkRequest, BulkResult
from api.training.service._base import TrainingServiceBase
from api.training.service._records import duplicate_of, expiration_for, new_record
from api.training.service._shapes import creation_events
from shared.models import TrainingRecord


class BulkTopic(TrainingServiceBase):
    """Many records at once, read and checked with a handful of queries whatever the size."""

    async def create_records_bulk(self, request: BulkRequest) -> BulkResult:
        """Per row, in order: the duplicate check (a duplicate is skipped unless
        `override_duplicates`, with a warning either way), the member, category and course
        of the organization (else the row fails), the expiration, the insert. Earlier rows
        of the request count as existing records for later ones."""
        rows = request.records
        members = await self.members.profiles({row.user_id for row in rows})
        categories = await self.categories.known(
            {row.category_id for row in rows if row.category_id is not None}
        )
        months = await self.courses.expiration_months(
            {row.course_id for row in rows if row.course_id is not None}
        )
        existing = await self._completions(rows)
        created: list[TrainingRecord] = []
        warnings: list[BulkDuplicate] = []
        errors: list[str] = []
        skipped = 0
        for number, row in enumerate(rows, start=1):
            duplicate = duplicate_of(existing, row.user_id, row.course_name, row.completion_date)
            if duplicate is not None:
                warnings.append(_warning(row, duplicate, kept=request.override_duplicates))
                if not request.override_duplicates:
                    skipped += 1
                    continue
            member = members.get(row.user_id)
            failure = _failure(row, categories, set(months))
            if member is None or failure is not None:
                errors.append(f"Row {number}: {failure or 'Member not found in this organization'}")
                continue
            fields = msgspec.structs.asdict(row)
            fields["expiration_date"] = expiration_for(
                row.completion_date,
                months.get(row.course_id) if row.course_id is not None else None,
                row.expiration_date,
            )
            record = new_record(
                self.principal.organization_id, self.principal.user_id, member, fields
            )
            created.append(record)
            if record.completion_date is not None:
                existing.append(
                    Completion(
                        record.id,
                        record.user_id,
                        record.course_name.lower(),
                        record.completion_date,
                    )
                )
        if created:
            await self.records.add(created)
            await self._record(
                "training_records_bulk_created",
                total=len(rows),
                created=len(created),
                skipped=skipped,
                failed=len(errors),
                record_ids=[str(record.id) for record in created],
            )
            for record in created:
                for event in creation_events(record):
                    self._publish(event)
        return BulkResult(
            total=len(rows),
            created=len(created),
            skipped=skipped,
            failed=len(errors),
            duplicate_warnings=warnings,
            errors=errors,
            created_record_ids=[str(record.id) for record in created],
        )

    async def _completions(self, rows: list[BulkEntry]) -> list[Completion]:
        """The organization's records the dated rows may duplicate, in one query."""
        dated = [row for row in rows if row.completion_date is not None]
        days = [row.completion_date for row in dated if row.completion_date is not None]
        if not days:
            return []
        return await self.records.completions_near(
            {row.user_id for row in dated},
            {row.course_name.lower() for row in dated},
            min(days),
            max(days),
        )


def _failure(row: BulkEntry, categories: set[UUID], courses: set[UUID]) -> str | None:
    """Why a row naming a category or course of another organization fails (§4.2 [fix])."""
    if row.category_id is not None and row.category_id not in categories:
        return "Training category not found"
    if row.course_id is not None and row.course_id not in courses:
        return "Training course not found"
    return None


def _warning(row: BulkEntry, duplicate: Completion, *, kept: bool) -> BulkDuplicate:
    outcome = "created anyway" if kept else "skipped"
    return BulkDuplicate(
        user_id=row.user_id,
        course_name=row.course_name,
        completion_date=row.completion_date,
        existing_record_id=duplicate.id,
        existing_completion_date=duplicate.completion_date,
        message=(
            f"A record of '{row.course_name}' completed on {duplicate.completion_date} "
            f"already exists for this member; {outcome}"
        ),
    )
