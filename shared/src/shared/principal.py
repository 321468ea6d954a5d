"""Authentication every service applies: the bearer token, its session, idleness, the §4 gates.

The gates (a required password change, a required MFA enrollment) apply to every route except
those whose handler declares, with `open_through`, that they stay open behind a gate: the routes
a gated member needs to get out from behind it.

A token is served only for a live session of its member, in the member's own organization. An
ordinary request costs no SQL: each instance checks a session in the database once, then learns
of its end from `SessionLiveness`; while that cannot be sure it is current (NATS down or
restarted), every request checks its session in the database. A member's permissions and flags
are cached per instance for a minute.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from functools import partial
from typing import Any, TypeVar, cast
from uuid import UUID

from cachetools import LRUCache
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.handlers import BaseRouteHandler
from litestar.types import Guard
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.auth_errors import (
    MfaEnrollmentRequiredError,
    NotAuthenticatedError,
    PasswordChangeRequiredError,
    PermissionDeniedError,
    SessionInvalidError,
)
from shared.cache import LoadingCache
from shared.db.types import utc_now
from shared.permissions import effective_permissions, grants_any
from shared.principal_repository import PrincipalRepository
from shared.session_liveness import SessionLiveness
from shared.settings import Settings
from shared.tokens import AccessClaims, InvalidTokenError, read_access_token

T = TypeVar("T")
MEMBER_CACHE_SECONDS = 60.0
# A key per member and kind of derived value: ample for the largest department, and a bound.
MEMBER_CACHE_ENTRIES = 100_000
PRINCIPAL_KEY = "logbook_principal"
VERIFIED_TOKENS = 4096  # a token each for that many browsers: a few MB at most
_VERIFIED: LRUCache[tuple[str, str], AccessClaims] = LRUCache(maxsize=VERIFIED_TOKENS)
OPEN_THROUGH = "open_through_gates"  # the route handler's `opt` key naming its open gates


class Gate(StrEnum):
    """A gate of §4 that confines a member to the routes that lead out of it."""

    PASSWORD_CHANGE = "password_change"  # noqa: S105 - a gate, not a password
    MFA_ENROLLMENT = "mfa_enrollment"


def open_through(*gates: Gate) -> dict[str, Any]:
    """A route handler's `opt` declaring the gates the route stays open behind."""
    return {OPEN_THROUGH: frozenset(gates)}


@dataclass(frozen=True)
class MemberFacts:
    """What authorization needs to know about a member, cached briefly."""

    active: bool
    organization_id: UUID
    permissions: frozenset[str]
    must_change_password: bool
    mfa_enrollment_required: bool


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of a request."""

    user_id: UUID
    organization_id: UUID
    session_id: UUID
    username: str
    permissions: frozenset[str]


class MemberCache:
    """Per-instance cache of `MemberFacts` (and what a service derives from a member), for a minute.

    `forget` drops a member at once; a load that was running when it was called is not stored,
    so an answer read before a change cannot outlive the change (`shared.cache.LoadingCache`).
    """

    def __init__(self) -> None:
        self._cache: LoadingCache[tuple[UUID, str], object | None] = LoadingCache(
            ttl=MEMBER_CACHE_SECONDS, maxsize=MEMBER_CACHE_ENTRIES
        )

    async def facts(
        self, sessionmaker: async_sessionmaker[AsyncSession], user_id: UUID
    ) -> MemberFacts | None:
        """The member's facts, from the cache when fresh."""
        return await self.remembered(user_id, "facts", partial(_load_facts, sessionmaker, user_id))

    async def remembered(
        self, user_id: UUID, kind: str, load: Callable[[], Awaitable[T | None]]
    ) -> T | None:
        """A value about the member, loaded on a miss and kept for a minute; None is not kept.

        Requests that miss together share one load: a burst after a change costs one query.
        """
        return cast(T | None, await self._cache.get((user_id, kind), load))

    def forget(self, user_id: UUID | None) -> None:
        """Drop a member (their roles, flags or status changed); None drops every member."""
        if user_id is None:
            self._cache.clear()
        else:
            self._cache.forget_where(lambda key: key[0] == user_id)


async def _load_facts(
    sessionmaker: async_sessionmaker[AsyncSession], user_id: UUID
) -> MemberFacts | None:
    async with sessionmaker() as session:
        members = PrincipalRepository(session)
        user = await members.member_with_positions(user_id)
        if user is None:
            return None
        organization = await members.organization(user.organization_id)
        mfa_required = bool(
            organization
            and organization.active
            and organization.settings.get("security", {}).get("mfa_required")
        )
        return MemberFacts(
            active=user.is_active and bool(organization and organization.active),
            organization_id=user.organization_id,
            permissions=effective_permissions(user),
            must_change_password=user.must_change_password,
            mfa_enrollment_required=mfa_required and not user.mfa_enabled,
        )


def bearer_claims(
    connection: ASGIConnection[Any, Any, Any, Any], settings: Settings
) -> AccessClaims:
    """The verified claims of the request's bearer token (the gateway sets it from the cookie)."""
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticatedError
    if settings.secret_key is None:
        raise RuntimeError("SECRET_KEY is not set")
    # A browser presents one token for up to 30 minutes: its signature is checked once and the
    # claims kept, under the key it was checked with; the expiry is checked on every use.
    key = (token, settings.secret_key.get_secret_value())
    claims = _VERIFIED.get(key)
    if claims is None:
        try:
            claims = read_access_token(settings, token)
        except InvalidTokenError as exc:
            raise SessionInvalidError("bad_token") from exc
        _VERIFIED[key] = claims
    elif claims.expires_at <= utc_now():
        del _VERIFIED[key]
        raise SessionInvalidError("bad_token")
    return claims


def session_idle(liveness: SessionLiveness, claims: AccessClaims, settings: Settings) -> bool:
    """Whether the session saw no activity, anywhere, for longer than the idle timeout."""
    # Before any activity is known, the token's issue time stands in for it.
    issued = claims.expires_at - timedelta(minutes=settings.access_token_expire_minutes)
    last = max(liveness.last_activity(str(claims.session_id)) or issued, issued)
    return utc_now() - last > timedelta(minutes=settings.hipaa_session_timeout_minutes)


async def check_session(
    liveness: SessionLiveness,
    sessionmaker: async_sessionmaker[AsyncSession],
    claims: AccessClaims,
) -> None:
    """Refuse a token whose session ended, never existed, or is not its member's.

    The database is asked once per session and instance while the revocation stream is current,
    and on every request while it is not: nothing unverifiable is accepted.
    """
    session_id = str(claims.session_id)
    if liveness.is_revoked(session_id):
        raise SessionInvalidError("revoked")
    if liveness.current and liveness.is_confirmed(session_id):
        return
    confirmations = liveness.confirmations
    async with sessionmaker() as session:
        row = await PrincipalRepository(session).session(claims.session_id)
    if (
        row is None
        or row.user_id != claims.user_id
        or row.organization_id != claims.organization_id
    ):
        raise SessionInvalidError("unknown_session")
    if row.revoked_at is not None:
        liveness.revoke([session_id])
        raise SessionInvalidError("revoked")
    liveness.confirm(session_id, confirmations)


def check_liveness(liveness: SessionLiveness, claims: AccessClaims, settings: Settings) -> None:
    """Refuse a revoked or idle session; note this request's activity."""
    session_id = str(claims.session_id)
    if liveness.is_revoked(session_id):
        raise SessionInvalidError("revoked")
    if session_idle(liveness, claims, settings):
        raise SessionInvalidError("idle_timeout")
    liveness.note_activity(session_id)


async def provide_principal(request: Request[object, object, State]) -> Principal:
    """The authenticated caller (a dependency); authenticates once per request."""
    return await authenticate(request)


def requires(*permissions: str) -> Guard:
    """A guard admitting callers who hold any of `permissions` (an OR-list)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = await authenticate(connection)
        if not grants_any(principal.permissions, permissions):
            raise PermissionDeniedError

    return guard


async def authenticate(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """Authenticate a request and apply the gates of §4 its route does not stay open behind."""
    cached = connection.scope.get("state", {}).get(PRINCIPAL_KEY)
    if isinstance(cached, Principal):
        return cached
    principal = await _authenticate(connection)
    connection.scope.setdefault("state", {})[PRINCIPAL_KEY] = principal
    return principal


async def _authenticate(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    state = connection.app.state
    settings: Settings = state.settings
    claims = bearer_claims(connection, settings)
    await check_session(state.liveness, state.sessionmaker, claims)
    check_liveness(state.liveness, claims, settings)
    facts = await state.member_cache.facts(state.sessionmaker, claims.user_id)
    if facts is None or not facts.active:
        raise SessionInvalidError("member_inactive")
    if facts.organization_id != claims.organization_id:
        raise SessionInvalidError("organization_mismatch")
    check_gates(facts, connection.scope.get("route_handler"))
    return Principal(
        claims.user_id,
        facts.organization_id,
        claims.session_id,
        claims.username,
        facts.permissions,
    )


def check_gates(facts: MemberFacts, route_handler: BaseRouteHandler | None) -> None:
    """Refuse a gated member unless the route declares it stays open behind that gate."""
    open_gates: frozenset[Gate] = (
        route_handler.opt.get(OPEN_THROUGH, frozenset()) if route_handler else frozenset()
    )
    if facts.must_change_password and Gate.PASSWORD_CHANGE not in open_gates:
        raise PasswordChangeRequiredError
    if facts.mfa_enrollment_required and Gate.MFA_ENROLLMENT not in open_gates:
        raise MfaEnrollmentRequiredError
