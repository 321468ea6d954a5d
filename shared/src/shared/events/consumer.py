"""Durable JetStream consumers: ack after the handler's commit, each event id handled once."""

from collections.abc import Awaitable, Callable

import msgspec
import structlog
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, wait_fixed

from shared.background import BackgroundLoop
from shared.db.integrity import ClashError
from shared.events.envelope import Envelope, decode
from shared.events.nats import NatsConnection
from shared.events.repository import ProcessedEventRepository
from shared.metrics import ServiceMetrics
from shared.retry import log_retry

log = structlog.get_logger("shared.consumer")
Handler = Callable[[Envelope, AsyncSession], Awaitable[None]]
FETCH_BATCH = 20
FETCH_TIMEOUT_SECONDS = 1.0
ACK_WAIT_SECONDS = 30.0
RETRY_DELAY_SECONDS = 2.0  # after NATS trouble; and the first handler retry, doubling each time
MAX_RETRY_DELAY_SECONDS = 300.0
MAX_DELIVER = 10


class DurableConsumer(BackgroundLoop):
    """Runs `handler` for every event on `subject_filter`, once per event id, in a transaction.

    A failed handler is retried after a delay that doubles with each delivery; after
    `max_deliver` deliveries the event is terminated with one error log line.
    Stopping it loses nothing: unacknowledged messages are redelivered later.
    """

    def __init__(
        self,
        nats: NatsConnection,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        durable: str,
        subject_filter: str,
        handler: Handler,
        max_deliver: int = MAX_DELIVER,
        retry_delay_seconds: float = RETRY_DELAY_SECONDS,
        max_retry_delay_seconds: float = MAX_RETRY_DELAY_SECONDS,
        metrics: ServiceMetrics | None = None,
    ) -> None:
        super().__init__()
        self._metrics = metrics
        self.task_name = f"consumer-{durable}"
        self._nats = nats
        self._sessionmaker = sessionmaker
        self.durable = durable
        self.subject_filter = subject_filter
        self._handler = handler
        self.max_deliver = max_deliver
        self._retry_delay = retry_delay_seconds
        self._max_retry_delay = max_retry_delay_seconds

    async def _run(self) -> None:
        # Keep consuming after NATS trouble: subscribe again a little later, for ever.
        retrying = AsyncRetrying(
            wait=wait_fixed(RETRY_DELAY_SECONDS),
            before_sleep=log_retry(log.warning, "consumer.restart", consumer=self.durable),
        )
        await retrying(self._consume)

    async def _consume(self) -> None:
        await self._nats.ready.wait()
        subscription = await self._nats.jetstream.pull_subscribe(
            self.subject_filter,
            durable=self.durable,
            stream=self._nats.stream,
            config=ConsumerConfig(
                ack_policy=AckPolicy.EXPLICIT,
                ack_wait=ACK_WAIT_SECONDS,
                deliver_policy=DeliverPolicy.ALL,
                # Only for a new consumer; handle() enforces the limit for old ones too.
                max_deliver=self.max_deliver,
            ),
        )
        while True:
            try:
                messages = await subscription.fetch(FETCH_BATCH, timeout=FETCH_TIMEOUT_SECONDS)
            except (TimeoutError, NatsTimeoutError):
                continue
            for message in messages:
                await self.handle(message)

    async def handle(self, message: Msg) -> None:
        """Handle one message: decode, skip if seen, run the handler, commit, then ack."""
        if self._metrics is not None:
            self._metrics.event_delivered(self.durable, message.metadata.num_delivered)
        try:
            envelope = decode(message.data)
        except msgspec.DecodeError:
            log.error("consumer.undecodable", consumer=self.durable, subject=message.subject)
            await message.term()  # redelivering cannot fix it
            return
        with structlog.contextvars.bound_contextvars(
            req_id=envelope.request_id or "-",
            event_id=str(envelope.id),
            subject=envelope.type,
        ):
            try:
                handled = await self._handle_once(envelope)
            except Exception as exc:  # noqa: BLE001 - retried, or logged in full when given up
                await self._retry_or_give_up(message, exc)
                return
            await message.ack()
            if self._metrics is not None:
                self._metrics.event_consumed(self.durable, envelope.type)
            log.info(
                "consumer.handled" if handled else "consumer.duplicate_skipped",
                consumer=self.durable,
            )

    async def _retry_or_give_up(self, message: Msg, exc: Exception) -> None:
        delivered = message.metadata.num_delivered
        if delivered >= self.max_deliver:
            log.error(
                "consumer.gave_up",
                consumer=self.durable,
                deliveries=delivered,
                exc_info=exc,
            )
            await message.term()  # a poison event: redelivering it cannot help
            return
        delay = min(self._retry_delay * 2 ** (delivered - 1), self._max_retry_delay)
        log.warning(
            "consumer.handler_failed",
            consumer=self.durable,
            error=type(exc).__name__,
            delivery=delivered,
            max_deliver=self.max_deliver,
            retry_in=delay,
        )
        await message.nak(delay=delay)

    async def _handle_once(self, envelope: Envelope) -> bool:
        try:
            async with self._sessionmaker() as session, session.begin():
                handled = ProcessedEventRepository(session)
                if await handled.seen(self.durable, envelope.id):
                    return False
                try:
                    await handled.record(self.durable, envelope.id)
                except ClashError as exc:
                    # Another instance recorded the same event id first: it is handled.
                    raise _AlreadyHandledError from exc
                await self._handler(envelope, session)
        except _AlreadyHandledError:
            return False
        return True


class _AlreadyHandledError(Exception):
    """Raised inside the transaction so it rolls back, caught right outside it."""
