"""Who is calling, for routes that change state: the token, its session row, the member, the gates.

`/auth/me` and `/auth/session-settings` use `auth.current`, which needs no SQL.
"""

from dataclasses import dataclass
from datetime import timedelta

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from auth.errors import (
    MfaEnrollmentRequiredError,
    NotAuthenticatedError,
    PasswordChangeRequiredError,
    SessionInvalidError,
)
from auth.mfa import requires_mfa
from auth.repository import MemberRepository, SessionRepository
from auth.service import ClientInfo, SessionService
from shared.client_ip import client_ip
from shared.db.types import utc_now
from shared.models import AuthSession, Organization, User
from shared.settings import Settings
from shared.tokens import InvalidTokenError, read_access_token

# A session's activity is written at most this often: idleness stays accurate to within a
# minute without a database write on every request.
ACTIVITY_WRITE_INTERVAL = timedelta(minutes=1)
PASSWORD_GATE_ALLOWED = (
    "/auth/change-password",
    "/auth/logout",
    "/auth/me",
    "/auth/refresh",
    "/auth/session-settings",
)
# §4, with /auth/change-password added: the original's gates deadlocked a member who had to
# change the password in an organization that requires MFA.
MFA_GATE_ALLOWED = (
    "/auth/mfa/setup",
    "/auth/mfa/verify-setup",
    "/auth/mfa/status",
    "/auth/me",
    "/auth/logout",
    "/auth/refresh",
    "/auth/session-settings",
    "/auth/change-password",
)


@dataclass(frozen=True)
class Caller:
    """The signed-in member of this request."""

    user: User
    organization: Organization | None
    session: AuthSession


def bearer_token(request: Request[object, object, State]) -> str | None:
    """The token of an `Authorization: Bearer` header (the gateway sets it from the cookie)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def client_info(request: Request[object, object, State]) -> ClientInfo:
    """Client address (as the trusted gateway saw it) and the user agent."""
    trusted = tuple(request.app.state.settings.trusted_proxy_ips)
    return ClientInfo(client_ip(request, trusted), request.headers.get("user-agent"))


async def provide_caller(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    sessions: NamedDependency[SessionService],
) -> Caller:
    """Authenticate the request against its live session; apply the password and MFA gates."""
    settings: Settings = request.app.state.settings
    token = bearer_token(request)
    if token is None:
        raise NotAuthenticatedError
    try:
        claims = read_access_token(settings, token)
    except InvalidTokenError as exc:
        raise SessionInvalidError("bad_token") from exc
    auth_session = await SessionRepository(db_session).get(claims.session_id)
    if (
        auth_session is None
        or auth_session.revoked_at is not None
        or auth_session.user_id != claims.user_id
    ):
        raise SessionInvalidError("session_ended")
    if sessions.is_idle(auth_session):
        sessions.end_idle(auth_session)
        raise SessionInvalidError("idle_timeout")
    now = utc_now()
    sessions.note_activity(auth_session)
    if now - auth_session.last_activity_at > ACTIVITY_WRITE_INTERVAL:
        auth_session.last_activity_at = now
    members = MemberRepository(db_session)
    user = await members.get_with_positions(claims.user_id)
    if user is None or not user.is_active:
        raise SessionInvalidError("member_inactive")
    if user.must_change_password and not request.url.path.rstrip("/").endswith(
        PASSWORD_GATE_ALLOWED
    ):
        raise PasswordChangeRequiredError
    organization = await members.organization(user.organization_id)
    if (
        requires_mfa(organization)
        and not user.mfa_enabled
        and not request.url.path.rstrip("/").endswith(MFA_GATE_ALLOWED)
    ):
        raise MfaEnrollmentRequiredError
    return Caller(user, organization, auth_session)
