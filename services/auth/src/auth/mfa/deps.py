"""Dependencies of the MFA routes."""

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from auth.context import AuthEvents, InstanceMemory
from auth.mfa.service import MfaService
from auth.repository import MfaRepository
from auth.sessions.service import SignInService


def provide_mfa_service(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    sign_in: NamedDependency[SignInService],
    events: NamedDependency[AuthEvents],
    memory: NamedDependency[InstanceMemory],
) -> MfaService:
    """The MFA rules with this request's repository, events and memory."""
    settings = request.app.state.settings
    return MfaService(sign_in, MfaRepository(db_session), events, memory, settings)
