"""Unhandled errors reach Sentry, tagged with service and request id, without request secrets."""

import json
from collections.abc import Callable, Iterator

import pytest
import sentry_sdk

from launcher.serve import init_sentry
from shared.settings import Settings
from tests.support.app import create_test_app
from tests.support.client import app_client
from tests.support.sentry import sentry_collector, sentry_events


@pytest.fixture
def sentry_server() -> Iterator[tuple[str, list[bytes]]]:
    """A local stand-in for Sentry's ingest endpoint; yields a DSN and the received envelopes."""
    with sentry_collector() as server:
        yield server


async def test_a_500_is_sent_to_sentry_with_service_and_request_id(
    make_settings: Callable[..., Settings], sentry_server: tuple[str, list[bytes]]
) -> None:
    dsn, received = sentry_server
    settings = make_settings(sentry_enabled=True, sentry_dsn=dsn)
    init_sentry(settings, "api")
    try:
        async with app_client(create_test_app(settings)) as client:
            response = await client.get(
                "/boom",
                headers={
                    "X-Request-ID": "req-sentry",
                    "Cookie": "access_token=tok-secret",
                    "Authorization": "Bearer tok-secret",
                },
            )
        sentry_sdk.flush(timeout=5)
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init()  # back to disabled for the rest of the session
    assert response.status_code == 500
    (event,) = sentry_events(received)
    assert event["tags"]["service"] == "api"
    assert event["tags"]["req_id"] == "req-sentry"
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    dumped = json.dumps(event)
    assert "tok-secret" not in dumped


async def test_nothing_is_sent_unless_enabled(
    make_settings: Callable[..., Settings], sentry_server: tuple[str, list[bytes]]
) -> None:
    dsn, received = sentry_server
    settings = make_settings(sentry_enabled=False, sentry_dsn=dsn)
    init_sentry(settings, "api")
    async with app_client(create_test_app(settings)) as client:
        assert (await client.get("/boom")).status_code == 500
    sentry_sdk.flush(timeout=2)
    assert received == []
