"""Routes of `/api/v1/training/sessions` (issue 14 item 4, spec training.md §7)."""

from uuid import UUID

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.training.deps import TRAINING_DEPENDENCIES
from api.training.permissions import TRAINING_MANAGE
from api.training.schemas import SessionCreate, SessionFinalized, SessionRead
from api.training.service import TrainingService
from shared.errors import documented_error

REFERENCE_NOT_FOUND = documented_error("The course or category is not the organization's")
SESSION_NOT_FOUND = documented_error("Training session not found")
NOT_FINALIZABLE = documented_error(
    "The event has not ended or is cancelled, nobody checked in, or the session is already "
    "finalized"
)


class SessionController(Controller):
    """Training sessions: a `training` event members check into, finalized into records."""

    path = "/sessions"
    dependencies = TRAINING_DEPENDENCIES

    @post("/", status_code=201, guards=[TRAINING_MANAGE], responses={404: REFERENCE_NOT_FOUND})
    async def create_session(
        self, data: JSONBody[SessionCreate], training: NamedDependency[TrainingService]
    ) -> SessionRead:
        """Schedule a session and its training event; check-ins make members' records."""
        return await training.create_session(data)

    @post(
        "/{session_id:str}/finalize",
        status_code=200,
        guards=[TRAINING_MANAGE],
        responses={400: NOT_FINALIZABLE, 404: SESSION_NOT_FOUND},
    )
    async def finalize_session(
        self, session_id: FromPath[UUID], training: NamedDependency[TrainingService]
    ) -> SessionFinalized:
        """Complete the records of everyone checked in, with their hours."""
        return await training.finalize_session(session_id)
