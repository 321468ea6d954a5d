"""The inventory page's live socket through the gateway, as the browser opens it (issue 12).

The gateway turns the `access_token` cookie into the bearer; frames come from the JetStream
events, so what the api publishes reaches the socket through NATS, not through memory.
"""

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin

from tests.e2e.conftest import PING_SECONDS, SOCKETS_PER_ORGANIZATION
from tests.e2e.department import Department, Platform
from tests.e2e.stack import another_instance

pytestmark = pytest.mark.e2e
SOCKET = "/api/v1/inventory/ws"
FRAME_SECONDS = 10.0


@pytest.fixture(scope="module")
def dept(department: Department) -> Department:
    """The module's organization on the worker's shared platform (tests/e2e/conftest.py)."""
    return department


@pytest.fixture(scope="module")
def full(shared_platform: Platform) -> Department:
    """Another organization, whose sockets the cap test alone opens: none of an earlier test
    may still be counted when it fills the cap."""
    return shared_platform.new_department()


@asynccontextmanager
async def socket(
    dept: Department, client: httpx.Client | None, *, origin: str | None = None
) -> AsyncIterator[ClientConnection]:
    """The socket a page of the gateway's own site opens, with the client's cookies."""
    url = dept.gateway.replace("http://", "ws://") + SOCKET
    cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items()) if client else ""
    headers = {"Cookie": cookies} if cookies else {}
    async with connect(
        url, origin=Origin(origin or dept.gateway), additional_headers=headers, open_timeout=10
    ) as ws:
        yield ws


async def next_frame(
    ws: ClientConnection, action: str, within: float = FRAME_SECONDS
) -> dict[str, Any]:
    """The next frame of `action` (other departments' tests on the platform push nothing here)."""
    async with asyncio.timeout(within):
        while True:
            frame = json.loads(await ws.recv())
            if frame["action"] == action:
                return dict(frame)


async def read_until_closed(ws: ClientConnection) -> None:
    async with asyncio.timeout(FRAME_SECONDS):
        while True:
            await ws.recv()


async def closed_with(ws: ClientConnection) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        await read_until_closed(ws)
    assert closed.value.rcvd is not None, "the server sent no close frame"
    return closed.value.rcvd.code


class TestFrames:
    async def test_a_change_reaches_every_socket_of_the_organization(
        self, dept: Department
    ) -> None:
        _, username = dept.add_member("member")
        with dept.signed_in(dept.admin_username) as admin, dept.signed_in(username) as member:
            async with socket(dept, admin) as first, socket(dept, member) as second:
                created = admin.post("/api/v1/inventory/items", json={"name": "Halligan bar"})
                assert created.status_code == 201, created.text
                item_id = created.json()["id"]
                for ws in (first, second):
                    frame = await next_frame(ws, "item_created")
                    assert frame["type"] == "inventory_changed"
                    assert isinstance(frame["data"], dict)
                    assert frame["data"]["item_id"] == item_id

    async def test_a_checkout_reaches_another_members_socket_within_a_second(
        self, dept: Department
    ) -> None:
        member_id, username = dept.add_member("member")
        with dept.signed_in(dept.admin_username) as admin, dept.signed_in(username) as member:
            item = admin.post("/api/v1/inventory/items", json={"name": "Thermal camera"})
            assert item.status_code == 201, item.text
            async with socket(dept, member) as ws:
                asked = time.monotonic()  # "within a second of the checkout": its request too
                lent = admin.post(
                    "/api/v1/inventory/checkout",
                    json={"item_id": item.json()["id"], "user_id": member_id},
                )
                assert lent.status_code == 201, lent.text
                frame = await next_frame(ws, "item_checked_out")
                assert time.monotonic() - asked <= 1.0
                assert frame["data"]["item_id"] == item.json()["id"]


class TestIdle:
    async def test_an_idle_socket_is_pinged_through_the_gateway_and_still_gets_frames(
        self, dept: Department
    ) -> None:
        url = dept.gateway.replace("http://", "ws://") + SOCKET
        with dept.signed_in(dept.admin_username) as admin:
            cookies = "; ".join(f"{k}={v}" for k, v in admin.cookies.items())
            async with (
                aiohttp.ClientSession() as http,
                # No pings of its own and none answered for it: the test sees the server's.
                http.ws_connect(
                    url,
                    origin=dept.gateway,
                    headers={"Cookie": cookies},
                    autoping=False,
                    heartbeat=None,
                ) as ws,
            ):
                idle_since = time.monotonic()
                for _ in range(3):
                    message = await ws.receive(timeout=PING_SECONDS * 3)
                    assert message.type is aiohttp.WSMsgType.PING
                    await ws.pong(message.data)
                assert time.monotonic() - idle_since >= 2 * PING_SECONDS
                created = admin.post("/api/v1/inventory/items", json={"name": "Pike pole"})
                assert created.status_code == 201, created.text
                async with asyncio.timeout(FRAME_SECONDS):
                    while (message := await ws.receive()).type is aiohttp.WSMsgType.PING:
                        await ws.pong(message.data)
                assert message.type is aiohttp.WSMsgType.TEXT
                frame = json.loads(message.data)
                assert (frame["action"], frame["data"]["item_id"]) == (
                    "item_created",
                    created.json()["id"],
                )


class TestAcrossInstances:
    async def test_a_change_made_through_one_instance_reaches_a_socket_on_another(
        self, dept: Department
    ) -> None:
        with (
            another_instance(dept.stack, "api") as other,
            dept.signed_in(dept.admin_username) as admin,
        ):
            # Straight to the second instance, with the bearer the gateway would have set.
            bearer = {"Authorization": f"Bearer {admin.cookies['access_token']}"}
            url = other.replace("http://", "ws://") + SOCKET
            async with connect(url, additional_headers=bearer, open_timeout=10) as ws:
                # Its follower may still be subscribing: changes go on until one comes through.
                for attempt in range(10):
                    created = admin.post(
                        "/api/v1/inventory/items", json={"name": f"Pike {attempt}"}
                    )
                    assert created.status_code == 201, created.text
                    with contextlib.suppress(TimeoutError):
                        frame = await next_frame(ws, "item_created", within=1.0)
                        break
                else:
                    pytest.fail("no frame reached the other instance's socket")
                assert isinstance(frame["data"], dict)
                assert frame["data"]["item_name"].startswith("Pike")


class TestRefusals:
    async def test_a_page_of_another_site_cannot_open_it(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin, pytest.raises(InvalidStatus) as refused:
            async with socket(dept, admin, origin="https://elsewhere.example"):
                pass
        assert refused.value.response.status_code == 403

    async def test_without_a_session_it_closes_with_4001(self, dept: Department) -> None:
        async with socket(dept, None) as ws:
            assert await closed_with(ws) == 4001

    async def test_a_forged_session_cookie_closes_with_4001(self, dept: Department) -> None:
        forged = httpx.Client(cookies={"access_token": "not.a.token"})
        async with socket(dept, forged) as ws:
            assert await closed_with(ws) == 4001

    async def test_a_member_without_inventory_view_gets_4003(self, dept: Department) -> None:
        _, username = dept.add_member()  # no role: no inventory.view
        with dept.signed_in(username) as member:
            async with socket(dept, member) as ws:
                assert await closed_with(ws) == 4003

    async def test_past_the_organization_s_cap_a_socket_closes_with_1013(
        self, dept: Department, full: Department
    ) -> None:
        with (
            full.signed_in(full.admin_username) as crowd,
            dept.signed_in(dept.admin_username) as admin,
        ):
            async with contextlib.AsyncExitStack() as stack:
                held = [
                    await stack.enter_async_context(socket(full, crowd))
                    for _ in range(SOCKETS_PER_ORGANIZATION)
                ]
                # A socket joins its organization after the handshake and the session check:
                # a frame on each shows all have joined before the one past the cap opens.
                roll_call = crowd.post("/api/v1/inventory/items", json={"name": "Roll call"})
                assert roll_call.status_code == 201, roll_call.text
                for ws in held:
                    await next_frame(ws, "item_created")
                async with socket(full, crowd) as refused:
                    assert await closed_with(refused) == 1013
                async with socket(dept, admin) as elsewhere:  # the cap is per organization
                    created = admin.post("/api/v1/inventory/items", json={"name": "Spanner"})
                    assert created.status_code == 201, created.text
                    frame = await next_frame(elsewhere, "item_created")
                    assert frame["data"]["item_id"] == created.json()["id"]

    async def test_it_closes_within_a_second_of_the_session_ending(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            async with socket(dept, admin) as ws:
                ended = time.monotonic()
                logout = admin.post("/api/v1/auth/logout")
                assert logout.status_code == 200, logout.text
                assert await closed_with(ws) == 4001
                assert time.monotonic() - ended <= 1.0

    async def test_it_closes_within_a_second_of_the_member_being_deactivated(
        self, dept: Department
    ) -> None:
        member_id, username = dept.add_member("member")
        with dept.signed_in(dept.admin_username) as admin, dept.signed_in(username) as member:
            async with socket(dept, member) as ws:
                ended = time.monotonic()
                changed = admin.patch(
                    f"/api/v1/users/{member_id}/status", json={"new_status": "inactive"}
                )
                assert changed.status_code == 200, changed.text
                assert await closed_with(ws) == 4001
                assert time.monotonic() - ended <= 1.0
