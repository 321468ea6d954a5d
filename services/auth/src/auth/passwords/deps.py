"""Dependencies of a member's own password change."""

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from auth.context import AuthEvents, InstanceMemory
from auth.passwords.service import PasswordChangeService
from auth.repository import MemberRepository, SessionRepository


def provide_password_change(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    events: NamedDependency[AuthEvents],
    memory: NamedDependency[InstanceMemory],
) -> PasswordChangeService:
    """A member's own password change."""
    return PasswordChangeService(
        MemberRepository(db_session),
        SessionRepository(db_session),
        events,
        memory,
        settings=request.app.state.settings,
    )
