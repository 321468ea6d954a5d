"""Bodies of the error report routes (leaves-waivers spec §4)."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import Meta

from shared.types import line, text

TYPE_CHARS = 50
MESSAGE_CHARS = 2000
USER_MESSAGE_CHARS = 500
STEP_CHARS = 500
STEPS_CHARS = 4096  # all troubleshooting steps together

ErrorType = Annotated[str, line(TYPE_CHARS, min_length=1)]
ErrorMessage = Annotated[str, text(MESSAGE_CHARS)]
UserMessage = Annotated[str, text(USER_MESSAGE_CHARS)]
Step = Annotated[str, text(STEP_CHARS)]
EventId = Annotated[str, line(100)]


class ErrorReportCreate(msgspec.Struct):
    """A report from a member's browser; the context is trimmed, not refused, when too large."""

    error_type: ErrorType = "UNKNOWN_ERROR"
    error_message: ErrorMessage = ""
    user_message: UserMessage | None = None
    troubleshooting_steps: Annotated[list[Step], Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    context: dict[str, Any] = msgspec.field(default_factory=dict)
    event_id: EventId | None = None

    def __post_init__(self) -> None:
        if sum(len(step) for step in self.troubleshooting_steps) > STEPS_CHARS:
            # Worded so the 422 says "Too long", as for the per-field limits.
            raise ValueError(f"troubleshooting_steps: of length <= {STEPS_CHARS} in total")


class ErrorReportLogged(msgspec.Struct):
    """The answer to a stored report."""

    id: UUID
    status: str = "logged"


class ErrorRecordRead(msgspec.Struct):
    """A stored report, as the administrators' page reads it."""

    id: UUID
    user_id: UUID | None
    error_type: str
    error_message: str
    user_message: str | None
    troubleshooting_steps: list[str]
    context: dict[str, Any]
    event_id: str | None
    created_at: datetime


class ErrorRecordPage(msgspec.Struct):
    """A page of reports, newest first, and how many match."""

    errors: list[ErrorRecordRead]
    total: int


class ErrorStats(msgspec.Struct):
    """How many reports, by type, and the five newest."""

    total: int
    by_type: dict[str, int]
    recent_errors: list[ErrorRecordRead]


class ErrorCodeRead(msgspec.Struct):
    """One support code the API answers with, and what a member can do about it."""

    code: str
    category: str
    title: str
    description: str
    resolution: list[str]


class ErrorCodeCatalogue(msgspec.Struct):
    """Every support code."""

    codes: list[ErrorCodeRead]
