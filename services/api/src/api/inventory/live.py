"""The inventory page kept live: `/api/v1/inventory/ws` pushes `inventory_changed` frames.

Frames come from the JetStream events (`logbook.api.inventory.*`), which every api instance
follows, so a change made through one instance reaches the sockets every instance holds. The
socket authenticates like any request (the gateway turns the `access_token` cookie into the
bearer), answers the browser's close codes of the original (4001 session, 1013 busy), and is
closed within a tick once its session is revoked or idle anywhere.
"""

import asyncio
import contextlib
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import msgspec
import structlog
from litestar import Litestar, WebSocket, websocket
from litestar.datastructures import State
from litestar.exceptions import WebSocketDisconnect

from api.inventory.lookup_index import CodeIndexes
from shared.errors import AppError
from shared.events.envelope import Envelope
from shared.events.follower import StreamFollower
from shared.events.nats import NatsConnection
from shared.permissions import grants_any
from shared.principal import authenticate, bearer_claims, session_idle
from shared.session_liveness import SessionLiveness
from shared.settings import Settings

log = structlog.get_logger("api.inventory.live")

SUBJECTS = "logbook.api.inventory.>"
# The actions the frontend knows (spec inventory.md §8); other inventory events push nothing.
ACTIONS = frozenset(
    {
        "item_created",
        "item_updated",
        "item_assigned",
        "item_unassigned",
        "item_checked_out",
        "item_checked_in",
        "checkout_extended",
        "batch_checkout",
        "batch_return",
        "pool_issued",
        "pool_returned",
        "item_retired",
        "items_bulk_created",
        "write_off_reviewed",
    }
)
VIEW = "inventory.view"
CLOSE_SESSION = 4001  # the original's "authentication failed": the page stops reconnecting
CLOSE_FORBIDDEN = 4003  # signed in, without inventory.view
CLOSE_BUSY = 1013  # "try again later": the organization's sockets are at the cap
CHECK_SECONDS = 0.5  # how soon a revoked or idle session's socket closes
QUEUE_FRAMES = 100  # a socket this far behind is closed; the page refetches when it reconnects
_decode = msgspec.json.Decoder(Envelope)


class LiveInventory:
    """This instance's inventory sockets by organization, fed by one stream follower, which
    also keeps this instance's scan indexes from outliving a change made anywhere."""

    def __init__(self, nats: NatsConnection, codes: CodeIndexes, *, per_organization: int) -> None:
        self._codes = codes
        self._per_organization = per_organization
        self._sockets: dict[UUID, set[asyncio.Queue[bytes]]] = defaultdict(set)
        self._follower = StreamFollower(nats, SUBJECTS, self._deliver)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._follower.run(), name="inventory-live")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def join(self, organization_id: UUID) -> asyncio.Queue[bytes] | None:
        """A queue of frames for a new socket, or None when the organization is at the cap."""
        sockets = self._sockets[organization_id]
        if len(sockets) >= self._per_organization:
            return None
        queue: asyncio.Queue[bytes] = asyncio.Queue(QUEUE_FRAMES)
        sockets.add(queue)
        return queue

    def leave(self, organization_id: UUID, queue: asyncio.Queue[bytes]) -> None:
        sockets = self._sockets.get(organization_id)
        if sockets is not None:
            sockets.discard(queue)
            if not sockets:
                del self._sockets[organization_id]

    def _deliver(self, payload: bytes) -> None:
        try:
            envelope = _decode.decode(payload)
        except msgspec.DecodeError:  # not an envelope (ValidationError is a DecodeError too)
            log.warning("inventory_live.undecodable_event")
            return
        self._codes.heard(envelope)
        action = envelope.type.rsplit(".", 1)[-1]
        if action not in ACTIONS or envelope.organization_id is None:
            return
        sockets = self._sockets.get(envelope.organization_id)
        if not sockets:
            return
        frame = msgspec.json.encode(
            {"type": "inventory_changed", "action": action, "data": envelope.data}
        )
        for queue in sockets:
            with contextlib.suppress(asyncio.QueueFull):  # a stalled socket is closed below
                queue.put_nowait(frame)


def start_live_inventory(app: Litestar) -> None:
    """Follow the inventory events for this instance's sockets (an `on_startup` hook)."""
    settings: Settings = app.state.settings
    codes = CodeIndexes()
    live = LiveInventory(
        app.state.nats, codes, per_organization=settings.inventory_sockets_per_organization
    )
    live.start()
    app.state.inventory_live = live
    app.state.inventory_codes = codes


async def stop_live_inventory(app: Litestar) -> None:
    """Stop following (an `on_shutdown` hook); the sockets end with the server."""
    live: LiveInventory | None = app.state.get("inventory_live")
    if live is not None:
        await live.stop()
        await app.state.inventory_codes.close()


def same_origin(socket: WebSocket[Any, Any, Any], settings: Settings) -> bool:
    """Whether a browser opened the socket from our own site (or an allowed origin).

    Browsers always send Origin on a WebSocket; a cross-site page could otherwise ride the
    member's cookie (cross-site WebSocket hijacking). A client without Origin is not a browser.
    """
    origin = socket.headers.get("origin")
    if origin is None:
        return True
    if origin.rstrip("/") in {allowed.rstrip("/") for allowed in settings.allowed_origins}:
        return True
    return urlsplit(origin).netloc == socket.headers.get("host")


@websocket("/api/v1/inventory/ws")
async def inventory_socket(socket: WebSocket[Any, Any, State]) -> None:
    """Push `inventory_changed` frames to a member with `inventory.view` until either side ends."""
    state = socket.app.state
    settings: Settings = state.settings
    if not same_origin(socket, settings):
        await socket.close(code=1008)  # before accept: the handshake itself is refused (403)
        return
    await socket.accept()
    try:
        principal = await authenticate(socket)
    except AppError:
        await socket.close(code=CLOSE_SESSION)
        return
    if not grants_any(principal.permissions, (VIEW,)):
        await socket.close(code=CLOSE_FORBIDDEN)
        return
    live: LiveInventory = state.inventory_live
    queue = live.join(principal.organization_id)
    if queue is None:
        await socket.close(code=CLOSE_BUSY)
        return
    try:
        await _serve(socket, queue, state)
    finally:
        live.leave(principal.organization_id, queue)


async def _serve(
    socket: WebSocket[Any, Any, State], queue: asyncio.Queue[bytes], state: State
) -> None:
    settings: Settings = state.settings
    liveness: SessionLiveness = state.liveness
    claims = bearer_claims(socket, settings)
    session_id = str(claims.session_id)
    # The browser sends nothing; reading still notices its close at once.
    reader = asyncio.create_task(_drain(socket))
    try:
        while not reader.done():
            if liveness.is_revoked(session_id) or session_idle(liveness, claims, settings):
                await socket.close(code=CLOSE_SESSION)
                return
            # Cached per member and dropped by member events: a deactivated member or a lost
            # permission ends the socket within a tick, session revocation or not.
            facts = await state.member_cache.facts(state.sessionmaker, claims.user_id)
            if facts is None or not facts.active:
                await socket.close(code=CLOSE_SESSION)
                return
            if not grants_any(facts.permissions, (VIEW,)):
                await socket.close(code=CLOSE_FORBIDDEN)
                return
            if queue.full():
                await socket.close(code=CLOSE_BUSY)
                return
            try:
                frame = await asyncio.wait_for(queue.get(), CHECK_SECONDS)
            except TimeoutError:
                continue
            await socket.send_text(frame.decode())
    except WebSocketDisconnect:
        return
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await reader


async def _drain(socket: WebSocket[Any, Any, State]) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await socket.receive_data(mode="text")
