"""Routes of `/api/v1/training/records` (spec training.md §3 #10 to #14)."""

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody, QueryParameter

from api.training.deps import TRAINING_DEPENDENCIES
from api.training.permissions import TRAINING_MANAGE, member
from api.training.schemas import (
    BulkRequest,
    BulkResult,
    CreatedRecordRead,
    RecordCreate,
    RecordFilters,
    RecordRead,
    RecordUpdate,
)
from api.training.service import TrainingService
from shared.errors import documented_error
from shared.models import TrainingStatus
from shared.types import SINGLE_LINE

NOT_FOUND = documented_error("No such record in the organization")
REFERENCE_NOT_FOUND = documented_error("The member, category or course is not the organization's")
EDIT_NOT_FOUND = documented_error(
    "No such record, or the category or course is not the organization's"
)
VOIDED = documented_error("The record is already voided")
# Read as text, then parsed strictly: Litestar converts query values leniently.
DateParameter = Annotated[
    str | None,
    QueryParameter(
        max_length=10,
        description="Completion date bound, YYYY-MM-DD (inclusive)",
        schema_extra={"format": "date"},
    ),
]


def _date(value: str | None, parameter: str) -> date | None:
    """A date parameter's value, or the 422 naming the parameter."""
    if value is None:
        return None
    try:
        return msgspec.convert(value, date)
    except msgspec.ValidationError as exc:
        raise ValidationException(extra=[{"key": parameter, "message": "Invalid date"}]) from exc


class RecordController(Controller):
    """Members' records: a member sees their own, officers everyone's and write them."""

    path = "/records"
    dependencies = TRAINING_DEPENDENCIES

    @get("/", guards=[member])
    async def list_records(
        self,
        *,
        training: NamedDependency[TrainingService],
        user_id: Annotated[
            UUID | None, QueryParameter(description="Officers only; members get their own")
        ] = None,
        status: Annotated[TrainingStatus | None, QueryParameter()] = None,
        start_date: DateParameter = None,
        end_date: DateParameter = None,
    ) -> list[RecordRead]:
        """Records by completion date, newest first, undated last; no paging."""
        filters = RecordFilters(
            user_id=user_id,
            status=status,
            start_date=_date(start_date, "start_date"),
            end_date=_date(end_date, "end_date"),
        )
        return await training.list_records(filters)

    @post("/", status_code=201, guards=[TRAINING_MANAGE], responses={404: REFERENCE_NOT_FOUND})
    async def create_record(
        self, data: JSONBody[RecordCreate], training: NamedDependency[TrainingService]
    ) -> CreatedRecordRead:
        """Record a member's training; `_duplicate_warning` flags a likely duplicate."""
        return await training.create_record(data)

    @post("/bulk", status_code=201, guards=[TRAINING_MANAGE])
    async def create_records_bulk(
        self, data: JSONBody[BulkRequest], training: NamedDependency[TrainingService]
    ) -> BulkResult:
        """Record up to 500 completions at once, with a result per row."""
        return await training.create_records_bulk(data)

    @patch("/{record_id:str}", guards=[TRAINING_MANAGE], responses={404: EDIT_NOT_FOUND})
    async def update_record(
        self,
        record_id: FromPath[UUID],
        data: JSONBody[RecordUpdate],
        training: NamedDependency[TrainingService],
    ) -> RecordRead:
        """Change the fields sent; nothing else is recomputed."""
        return await training.update_record(record_id, data)

    @delete(
        "/{record_id:str}",
        status_code=204,
        guards=[TRAINING_MANAGE],
        responses={400: VOIDED, 404: NOT_FOUND},
    )
    async def void_record(
        self,
        record_id: FromPath[UUID],
        training: NamedDependency[TrainingService],
        reason: Annotated[str | None, QueryParameter(max_length=500, pattern=SINGLE_LINE)] = None,
    ) -> None:
        """Void the record: it stays, `cancelled`, its notes marked."""
        await training.void_record(record_id, reason)
