"""Unhandled errors reach Sentry, tagged with service and request id, without request secrets."""

import gzip
import json
import threading
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sentry_sdk

from shared.serve import init_sentry
from shared.settings import Settings
from tests.support.app import create_test_app
from tests.support.client import app_client


class _Collector(BaseHTTPRequestHandler):
    received: list[bytes]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        return


@pytest.fixture
def sentry_server() -> Iterator[tuple[str, list[bytes]]]:
    """A local stand-in for Sentry's ingest endpoint; yields a DSN and the received envelopes."""
    received: list[bytes] = []
    handler = type("Collector", (_Collector,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://publickey@127.0.0.1:{server.server_address[1]}/1", received
    server.shutdown()
    server.server_close()


def _events(envelopes: list[bytes]) -> list[dict[str, Any]]:
    events = []
    for envelope in envelopes:
        lines = envelope.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(payload))
    return events


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
    (event,) = _events(received)
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
