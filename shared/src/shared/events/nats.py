"""One NATS connection per process that keeps trying in the background, and the stream."""

import asyncio
import contextlib

import structlog
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import StreamConfig
from nats.js.errors import NotFoundError
from tenacity import AsyncRetrying, RetryError, wait_exponential

from shared.background import BackgroundLoop
from shared.retry import log_retry

log = structlog.get_logger("shared.nats")
STREAM_SUBJECTS = ["logbook.>"]
DUPLICATE_WINDOW_SECONDS = 600.0  # Nats-Msg-Id de-duplication covers a relay retry this late
MAX_BACKOFF_SECONDS = 5.0


class NatsConnection(BackgroundLoop):
    """Connects in the background so a service starts (degraded) while NATS is down."""

    task_name = "nats-connect"

    def __init__(self, url: str, stream: str, *, name: str, replicas: int = 1) -> None:
        super().__init__()
        self.url = url
        # A cluster's servers, separated by commas: the client starts with whichever answers
        # and moves to another when its server stops.
        self.servers = [server.strip() for server in url.split(",") if server.strip()]
        self.stream = stream
        self.replicas = replicas
        self.name = name
        self.client: Client | None = None
        self.ready = asyncio.Event()
        # Bumped on every lost connection: what a follower verified before it may be stale.
        self.epoch = 0
        self._restore_task: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        """True while the client holds a live connection and the stream exists."""
        return self.client is not None and self.client.is_connected and self.ready.is_set()

    @property
    def jetstream(self) -> JetStreamContext:
        """The JetStream context; only valid while `connected`."""
        if self.client is None:
            raise ConnectionError("NATS is not connected")
        return self.client.jetstream()

    async def _run(self) -> None:
        # Connect with backoff until it works once; nats-py reconnects by itself after that.
        retrying = AsyncRetrying(
            wait=wait_exponential(multiplier=0.25, max=MAX_BACKOFF_SECONDS),
            before_sleep=log_retry(log.warning, "nats.connect_failed", url=self.url),
        )
        await retrying(self._connect)
        log.info("nats.connected", url=self.url, server=self._server(), stream=self.stream)
        self.ready.set()

    async def _connect(self) -> None:
        # Keep the client before connecting, so close() can end a half-open connection.
        self.client = Client()
        try:
            await self.client.connect(
                self.servers,
                name=self.name,
                connect_timeout=2,
                reconnect_time_wait=1,
                max_reconnect_attempts=-1,
                allow_reconnect=True,
                error_cb=self._on_error,
                disconnected_cb=self._on_disconnected,
                reconnected_cb=self._on_reconnected,
            )
            await ensure_stream(self.client.jetstream(), self.stream, self.replicas)
        except Exception:
            await self._close_client()
            raise

    def _server(self) -> str:
        """The server of the list this connection reached (host and port, no credentials): after
        a failover in a cluster, which one took over."""
        reached = self.client.connected_url if self.client is not None else None
        return f"{reached.hostname}:{reached.port}" if reached is not None else "-"

    async def _on_error(self, exc: Exception) -> None:
        log.warning("nats.error", error=type(exc).__name__)

    async def _on_disconnected(self) -> None:
        self.epoch += 1
        log.warning("nats.disconnected", url=self.url)

    async def _on_reconnected(self) -> None:
        log.info("nats.reconnected", url=self.url, server=self._server())
        # A server that restarted without its data has no stream, and every publish would fail.
        # Checked in a task of its own: nats-py awaits this callback in its reconnect loop.
        if self._restore_task is None or self._restore_task.done():
            self._restore_task = asyncio.create_task(self._restore_stream(), name="nats-stream")

    async def _restore_stream(self) -> None:
        retrying = AsyncRetrying(
            wait=wait_exponential(multiplier=0.25, max=MAX_BACKOFF_SECONDS),
            # Retried while connected; a connection lost again brings another restore.
            stop=lambda _: not self._live(),
            before_sleep=log_retry(log.error, "nats.ensure_stream_failed", stream=self.stream),
        )
        with contextlib.suppress(RetryError):
            await retrying(self._ensure_stream_if_connected)

    def _live(self) -> bool:
        return self.client is not None and self.client.is_connected

    async def _ensure_stream_if_connected(self) -> None:
        if self.client is not None and self.client.is_connected:
            await ensure_stream(self.client.jetstream(), self.stream, self.replicas)

    async def _close_client(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                await self.client.close()
            self.client = None

    async def close(self) -> None:
        """Stop connecting and close the connection."""
        await self.stop()
        if self._restore_task is not None:
            self._restore_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._restore_task
            self._restore_task = None
        self.ready.clear()
        await self._close_client()


async def ensure_stream(js: JetStreamContext, name: str, replicas: int = 1) -> None:
    """Create the stream for `logbook.>` if missing, with `replicas` copies (on as many servers
    of a cluster). An existing stream keeps what operators set except its number of copies,
    which follows the setting: a deployment grown into a cluster gets its stream replicated."""
    try:
        info = await js.stream_info(name)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(
                name=name,
                subjects=STREAM_SUBJECTS,
                duplicate_window=DUPLICATE_WINDOW_SECONDS,
                num_replicas=replicas,
            )
        )
        log.info("nats.stream_created", stream=name, replicas=replicas)
        return
    if (info.config.num_replicas or 1) != replicas:
        await js.update_stream(info.config.evolve(num_replicas=replicas))
        log.info("nats.stream_replicas_changed", stream=name, replicas=replicas)
