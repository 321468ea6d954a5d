"""Idleness and revocation as every service judges them, without the database."""

import asyncio
import time
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import jwt
import pytest
from litestar import get
from litestar.connection import ASGIConnection

from shared.auth_errors import (
    MfaEnrollmentRequiredError,
    NotAuthenticatedError,
    PasswordChangeRequiredError,
    SessionInvalidError,
)
from shared.db.types import utc_now
from shared.events.contracts.auth import (
    LoginSucceeded,
    MfaEnabled,
    MfaPolicyUpdated,
    SessionEnded,
)
from shared.events.contracts.members import MemberStatusChanged
from shared.events.contracts.organization import OrganizationProfileUpdated
from shared.events.contracts.roles import RoleDeleted
from shared.events.envelope import EventData, encode, wrap
from shared.events.nats import NatsConnection
from shared.principal import (
    Gate,
    MemberCache,
    MemberFacts,
    bearer_claims,
    check_gates,
    check_liveness,
    open_through,
)
from shared.session_liveness import MEMBER_SUBJECTS, SessionLiveness
from shared.settings import Settings
from shared.tokens import AccessClaims

SETTINGS = Settings(
    _env_file=None, access_token_expire_minutes=30, hipaa_session_timeout_minutes=15
)
KEYED = Settings(_env_file=None, secret_key="test-secret-key-0123456789abcdef0123456789abcdef")


def liveness() -> SessionLiveness:
    # Not started: no NATS needed to judge from what it already knows.
    return SessionLiveness(
        NatsConnection("nats://127.0.0.1:1", "X", name="t"),
        token_lifetime=timedelta(minutes=30),
        idle_timeout=timedelta(minutes=15),
    )


def claims_issued(minutes_ago: float) -> AccessClaims:
    expires = utc_now() - timedelta(minutes=minutes_ago) + timedelta(minutes=30)
    return AccessClaims(
        user_id=uuid4(),
        organization_id=uuid4(),
        session_id=uuid4(),
        username="m",
        expires_at=expires,
    )


def test_a_fresh_token_is_live_and_its_use_noted() -> None:
    state, claims = liveness(), claims_issued(1)
    check_liveness(state, claims, SETTINGS)
    last = state.last_activity(str(claims.session_id))
    assert last is not None
    assert utc_now() - last < timedelta(seconds=5)


def test_a_session_quiet_past_the_idle_timeout_is_refused() -> None:
    with pytest.raises(SessionInvalidError) as refused:
        check_liveness(liveness(), claims_issued(16), SETTINGS)
    assert refused.value.fields["reason"] == "idle_timeout"


def test_activity_noted_anywhere_keeps_an_old_token_alive() -> None:
    state, claims = liveness(), claims_issued(20)
    state.note_activity(str(claims.session_id))  # e.g. seen in the shared bucket
    check_liveness(state, claims, SETTINGS)


def test_a_session_ended_event_makes_the_session_refused() -> None:
    state, claims = liveness(), claims_issued(1)
    ended = SessionEnded(
        user_id=None,
        ip_address=None,
        user_agent=None,
        session_id=str(claims.session_id),
        reason="logout",
    )
    envelope = wrap(ended, organization_id=None, actor_id=None, request_id="r")
    state._revoke_from(encode(envelope))  # the stream handler, fed a real envelope
    with pytest.raises(SessionInvalidError):
        check_liveness(state, claims, SETTINGS)


def test_the_revoking_instance_refuses_at_once_without_waiting_for_its_event() -> None:
    state, claims = liveness(), claims_issued(1)
    state.revoke([str(claims.session_id)])
    with pytest.raises(SessionInvalidError) as refused:
        check_liveness(state, claims, SETTINGS)
    assert refused.value.fields["reason"] == "revoked"


def listening_liveness() -> tuple[SessionLiveness, list[UUID | None]]:
    told: list[UUID | None] = []
    state = SessionLiveness(
        NatsConnection("nats://127.0.0.1:1", "X", name="t"),
        token_lifetime=timedelta(minutes=30),
        idle_timeout=timedelta(minutes=15),
        on_member_event=told.append,
    )
    return state, told


def payload(data: EventData) -> bytes:
    return encode(wrap(data, organization_id=None, actor_id=None, request_id="r"))


class TestMemberEvents:
    def test_a_member_event_names_its_member(self) -> None:
        state, told = listening_liveness()
        member = uuid4()
        event = MemberStatusChanged(
            user_id=str(member), previous_status="active", new_status="leave"
        )
        state._members_from(MEMBER_SUBJECTS["logbook.api.member.>"], payload(event))
        assert told == [member]

    def test_a_role_event_names_every_affected_member(self) -> None:
        state, told = listening_liveness()
        holders = [uuid4(), uuid4()]
        event = RoleDeleted(
            role_id=uuid4(),
            slug="engineer",
            name="Engineer",
            is_system=False,
            permissions=["members.view"],
            affected_user_ids=holders,
        )
        state._members_from(MEMBER_SUBJECTS["logbook.api.role.>"], payload(event))
        assert told == holders

    def test_an_organization_event_drops_every_member(self) -> None:
        state, told = listening_liveness()
        event = OrganizationProfileUpdated(fields_changed=["timezone"], timezone="UTC")
        state._members_from(MEMBER_SUBJECTS["logbook.api.organization.>"], payload(event))
        assert told == [None]

    def test_an_auth_event_names_its_member_and_a_policy_change_everyone(self) -> None:
        state, told = listening_liveness()
        member = uuid4()
        state._revoke_from(
            payload(MfaEnabled(user_id=str(member), ip_address=None, user_agent=None))
        )
        policy = MfaPolicyUpdated(
            user_id=str(member), ip_address=None, user_agent=None, mfa_required=True
        )
        state._revoke_from(payload(policy))
        assert told == [member, None]

    def test_a_sign_in_changes_no_facts_and_drops_nobody(self) -> None:
        state, told = listening_liveness()
        signed_in = LoginSucceeded(
            user_id=str(uuid4()), ip_address=None, user_agent=None, session_id=str(uuid4())
        )
        state._revoke_from(payload(signed_in))
        assert told == []


class TestMemberCache:
    async def test_keeps_a_loaded_value_until_forgotten(self) -> None:
        cache, loads = MemberCache(), []
        member = uuid4()

        async def load() -> str:
            loads.append(1)
            return f"value {len(loads)}"

        assert await cache.remembered(member, "k", load) == "value 1"
        assert await cache.remembered(member, "k", load) == "value 1"
        cache.forget(member)
        assert await cache.remembered(member, "k", load) == "value 2"
        cache.forget(None)
        assert await cache.remembered(member, "k", load) == "value 3"

    async def test_requests_that_miss_together_share_one_load(self) -> None:
        cache, member, loads = MemberCache(), uuid4(), []
        release = asyncio.Event()

        async def load() -> str:
            loads.append(1)
            await release.wait()
            return "facts"

        waiting = [asyncio.create_task(cache.remembered(member, "k", load)) for _ in range(8)]
        await asyncio.sleep(0)
        release.set()
        assert await asyncio.gather(*waiting) == ["facts"] * 8
        assert len(loads) == 1

    async def test_a_load_overtaken_by_a_forget_is_not_kept(self) -> None:
        cache, member = MemberCache(), uuid4()
        started, release = asyncio.Event(), asyncio.Event()

        async def slow_load() -> str:
            started.set()
            await release.wait()
            return "before the change"

        async def load() -> str:
            return "after the change"

        pending = asyncio.create_task(cache.remembered(member, "k", slow_load))
        await started.wait()
        cache.forget(member)  # the change commits while the old row is being read
        release.set()
        assert await pending == "before the change"  # that request saw the old state
        assert await cache.remembered(member, "k", load) == "after the change"


def connection(token: str) -> ASGIConnection[Any, Any, Any, Any]:
    scope = {"type": "http", "headers": [(b"authorization", f"Bearer {token}".encode())]}
    return ASGIConnection(scope)  # type: ignore[arg-type]


def token(settings: Settings, expires_in: timedelta) -> str:
    now = utc_now()
    claims = {
        "sub": str(uuid4()),
        "org_id": str(uuid4()),
        "sid": str(uuid4()),
        "username": "m",
        "type": "access",
        "iat": now,
        "exp": now + expires_in,
    }
    assert settings.secret_key is not None
    return jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm="HS256")


class TestBearerClaims:
    def test_a_token_is_read_once_and_its_claims_reused(self) -> None:
        signed = token(KEYED, timedelta(minutes=30))
        first = bearer_claims(connection(signed), KEYED)
        assert bearer_claims(connection(signed), KEYED) is first

    def test_a_token_checked_under_one_key_is_refused_under_another(self) -> None:
        signed = token(KEYED, timedelta(minutes=30))
        bearer_claims(connection(signed), KEYED)
        other = Settings(_env_file=None, secret_key="another-key-0123456789abcdef0123456789abcdef")
        with pytest.raises(SessionInvalidError):
            bearer_claims(connection(signed), other)

    def test_a_remembered_token_is_refused_once_it_expires(self) -> None:
        signed = token(KEYED, timedelta(seconds=2))
        bearer_claims(connection(signed), KEYED)
        time.sleep(2.1)
        with pytest.raises(SessionInvalidError) as refused:
            bearer_claims(connection(signed), KEYED)
        assert refused.value.fields["reason"] == "bad_token"

    def test_no_bearer_token_is_401_not_authenticated(self) -> None:
        scope = {"type": "http", "headers": []}
        with pytest.raises(NotAuthenticatedError):
            bearer_claims(ASGIConnection(scope), KEYED)  # type: ignore[arg-type]


@get("/way-out", opt=open_through(Gate.PASSWORD_CHANGE))
async def way_out() -> None:
    """A route that declares it stays open behind the password gate."""


@get("/elsewhere")
async def elsewhere() -> None:
    """A route that declares nothing."""


def gated(
    *, must_change_password: bool = False, mfa_enrollment_required: bool = False
) -> MemberFacts:
    return MemberFacts(
        active=True,
        organization_id=uuid4(),
        permissions=frozenset(),
        must_change_password=must_change_password,
        mfa_enrollment_required=mfa_enrollment_required,
    )


class TestGatesDeclaredOnTheRoute:
    def test_a_route_open_through_the_gate_lets_the_gated_member_in(self) -> None:
        check_gates(gated(must_change_password=True), way_out)

    def test_a_route_that_declares_nothing_refuses_the_gated_member(self) -> None:
        with pytest.raises(PasswordChangeRequiredError):
            check_gates(gated(must_change_password=True), elsewhere)

    def test_a_route_open_through_one_gate_is_closed_behind_the_other(self) -> None:
        with pytest.raises(MfaEnrollmentRequiredError):
            check_gates(gated(mfa_enrollment_required=True), way_out)

    def test_an_ungated_member_passes_everywhere(self) -> None:
        check_gates(gated(), elsewhere)
