"""One request, followed (issue 5 #4): a sign-in through the gateway leaves JSON log lines in
auth (its access line: the gateway leaves that to the service, issue 15 item 8) and in the api's
audit consumer that all carry the id the gateway gave the request, which also travels in the
event's envelope and NATS header and lands in the audit entry."""

import asyncio
import time
import uuid
from typing import Any

import httpx
import nats
import pytest
from nats.js.api import DeliverPolicy

from shared.events.envelope import Envelope, decode
from tests.e2e.department import PASSWORD, Department

pytestmark = pytest.mark.e2e
Line = dict[str, Any]


async def published(department: Department, request_id: str) -> tuple[Envelope, str | None]:
    """The sign-in event of the request in the stack's JetStream, and its X-Request-ID header."""
    client = await nats.connect(f"nats://127.0.0.1:{department.stack.ports['nats']}")
    try:
        subscription = await client.jetstream().subscribe(
            "logbook.auth.login.succeeded", ordered_consumer=True, deliver_policy=DeliverPolicy.ALL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            message = await subscription.next_msg(timeout=5)
            envelope = decode(message.data)
            if envelope.request_id == request_id:
                return envelope, (message.headers or {}).get("X-Request-ID")
        raise AssertionError("the sign-in event never reached JetStream")
    finally:
        await client.close()


class TestOneSignInFollowed:
    def test_gateway_auth_and_api_lines_share_the_gateway_request_id(
        self, department: Department
    ) -> None:
        user_id, username = department.add_member("member")
        response = httpx.post(
            f"{department.gateway}/api/v1/auth/login",
            json={"username": username, "password": PASSWORD},
            headers={"X-Request-ID": "client-chosen-id"},  # never trusted as the correlation id
        )
        assert response.status_code == 200
        req_id = response.headers["x-request-id"]
        assert uuid.UUID(req_id).version == 4

        def same(line: Line) -> bool:
            return line.get("req_id") == req_id

        def auth(line: Line) -> bool:
            return same(line) and line.get("service") == "auth"

        def api_audit(line: Line) -> bool:
            return (
                same(line)
                and line.get("service") == "api"
                and line.get("event") == "audit.entry_recorded"
            )

        lines = department.stack.json_lines_until(
            lambda found: all(any(f(x) for x in found) for f in (auth, api_audit)),
        )
        (access,) = [x for x in lines if auth(x) and x.get("event") == "http.request"]
        assert (access["path"], access["status"]) == ("/api/v1/auth/login", 200)
        (recorded,) = [x for x in lines if api_audit(x)]
        assert recorded["event_type"] == "login_succeeded"
        assert any(
            same(x) and x.get("service") == "api" and x.get("event") == "consumer.handled"
            for x in lines
        )
        assert not any(x.get("req_id") == "client-chosen-id" for x in lines)

        envelope, header = asyncio.run(published(department, req_id))
        assert header == req_id
        assert envelope.data["user_id"] == user_id
        (entry,) = department.query(
            "SELECT id, event_type, request_id FROM audit_logs WHERE request_id = %s", req_id
        )
        assert entry["event_type"] == "login_succeeded"
        assert entry["id"] == recorded["log_id"]
