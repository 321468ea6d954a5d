"""Records as the API shows them, and the facts their events carry (spec training.md §2, §9)."""

from typing import Any

import msgspec

from api.training.schemas import AttachmentRead, RecordRead
from shared.events.contracts.training import RecordCompleted, RecordCreated
from shared.events.envelope import EventData
from shared.models import TrainingRecord, TrainingStatus

# The record columns the API shows as they are; `attachments` is shaped apart.
_PLAIN = tuple(
    field.name for field in msgspec.structs.fields(RecordRead) if field.name != "attachments"
)


def record_read(record: TrainingRecord) -> RecordRead:
    """The record as the API answers it, its files without their server paths."""
    return RecordRead(
        **{name: getattr(record, name) for name in _PLAIN},
        attachments=attachments_read(record.attachments),
    )


def attachments_read(stored: list[Any] | None) -> list[AttachmentRead]:
    """Stored files as `{index, file_name, …}`: a legacy string is a path or a name and shows
    only its last part; an object shows its name and facts, never its path."""
    shown = []
    for index, item in enumerate(stored or []):
        if isinstance(item, dict):
            shown.append(
                AttachmentRead(
                    index=index,
                    file_name=_base_name(str(item.get("file_name") or item.get("file_path") or "")),
                    file_type=_text(item.get("file_type")),
                    file_size=item["file_size"] if isinstance(item.get("file_size"), int) else None,
                    uploaded_at=_text(item.get("uploaded_at")),
                )
            )
        else:
            shown.append(AttachmentRead(index=index, file_name=_base_name(str(item))))
    return shown


def _base_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def record_facts(record: TrainingRecord) -> dict[str, Any]:
    """What every record event carries (§9)."""
    return {
        "record_id": record.id,
        "user_id": record.user_id,
        "course_id": record.course_id,
        "course_name": record.course_name,
        "status": record.status.value,
        "hours_completed": record.hours_completed,
        "completion_date": record.completion_date,
        "expiration_date": record.expiration_date,
        "training_session_id": record.training_session_id,
    }


def completed(record: TrainingRecord) -> RecordCompleted:
    """The event of a record that now counts (§9 `record_completed`)."""
    return RecordCompleted(
        record_id=record.id,
        user_id=record.user_id,
        hours_completed=record.hours_completed,
        category_id=record.category_id,
        completion_date=record.completion_date,
        expiration_date=record.expiration_date,
    )


def creation_events(record: TrainingRecord) -> list[EventData]:
    """A new record's events: `record_created`, and `record_completed` when it counts."""
    events: list[EventData] = [RecordCreated(**record_facts(record))]
    if record.status is TrainingStatus.COMPLETED:
        events.append(completed(record))
    return events
