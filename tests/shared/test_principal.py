"""Idleness and revocation as every service judges them, without the database."""

from datetime import timedelta
from uuid import uuid4

import pytest

from shared.auth_errors import SessionInvalidError
from shared.db.types import utc_now
from shared.events.contracts.auth import SessionEnded
from shared.events.envelope import encode, wrap
from shared.events.nats import NatsConnection
from shared.principal import check_liveness
from shared.session_liveness import SessionLiveness
from shared.settings import Settings
from shared.tokens import AccessClaims

SETTINGS = Settings(
    _env_file=None, access_token_expire_minutes=30, hipaa_session_timeout_minutes=15
)


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
