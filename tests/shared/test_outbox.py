"""The outbox, its relay and durable consumers against the real NATS JetStream and MariaDB."""

import asyncio
import contextlib
import logging
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import nats
import pytest
import structlog
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shared.app import ConsumerSpec
from shared.background import BackgroundLoop
from shared.db.migrate import migrate
from shared.db.session import create_engine, create_sessionmaker
from shared.db.types import utc_now
from shared.events.consumer import DurableConsumer
from shared.events.envelope import Envelope, decode, encode
from shared.events.nats import NatsConnection, ensure_stream
from shared.events.outbox import OutboxRelay
from shared.models.outbox import OutboxMessage, ProcessedEvent
from shared.settings import Settings
from tests.conftest import NATS_URL
from tests.support.app import ThingCreated, create_test_app
from tests.support.client import app_client
from tests.support.proxy import TcpProxy, free_port

SUBJECT = ThingCreated.subject
STREAM = "LOGBOOK"


@pytest.fixture
async def jetstream() -> AsyncIterator[JetStreamContext]:
    """A direct JetStream client (the stream is shared: tests never purge it)."""
    client: Client = await nats.connect(NATS_URL)
    js = client.jetstream()
    yield js
    await client.close()


async def published(js: JetStreamContext, wanted: set[str]) -> dict[str, list[Any]]:
    """Every message on the test subject since a minute ago whose Nats-Msg-Id is wanted."""
    found: dict[str, list[Any]] = {}
    since = (utc_now() - timedelta(minutes=1)).isoformat()
    sub = await js.subscribe(
        SUBJECT,
        ordered_consumer=True,
        config=ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_TIME, opt_start_time=since),
    )
    try:
        while True:
            try:
                message = await sub.next_msg(timeout=1)
            except nats.errors.TimeoutError:
                return found
            msg_id = (message.headers or {}).get("Nats-Msg-Id", "")
            if msg_id in wanted:
                found.setdefault(msg_id, []).append(message)
    finally:
        await sub.unsubscribe()


async def wait_until(predicate: Callable[[], Any], within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not reached in time")


async def pending_ids(engine: AsyncEngine, ids: set[str]) -> set[str]:
    async with AsyncSession(engine) as session:
        rows = await session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.id.in_([uuid.UUID(i) for i in ids]), OutboxMessage.sent_at.is_(None)
            )
        )
        return {str(row) for row in rows}


class TestRelay:
    async def test_events_wait_while_nats_is_down_and_are_published_once_after(
        self,
        make_settings: Callable[..., Settings],
        engine: AsyncEngine,
        jetstream: JetStreamContext,
    ) -> None:
        proxy = TcpProxy(4222)  # not listening yet: NATS is unreachable
        app = create_test_app(make_settings(nats_url=f"nats://127.0.0.1:{proxy.port}"))
        async with app_client(app) as client:
            ids: dict[str, str] = {}
            for n in range(20):
                response = await client.post(
                    "/things",
                    json={"name": f"thing{n}", "count": 1},
                    headers={"X-Request-ID": f"req-{n}"},
                )
                assert response.status_code == 201
                ids[response.json()["event_id"]] = f"req-{n}"
            await asyncio.sleep(1.5)  # the relay has tried and backed off
            assert await pending_ids(engine, set(ids)) == set(ids)

            await proxy.restore()

            async def all_sent() -> bool:
                return not await pending_ids(engine, set(ids))

            await wait_until(all_sent)
        await proxy.cut()

        messages = await published(jetstream, set(ids))
        assert set(messages) == set(ids)
        assert all(len(copies) == 1 for copies in messages.values())
        for msg_id, (message,) in messages.items():
            envelope = decode(message.data)
            assert str(envelope.id) == msg_id
            assert envelope.request_id == ids[msg_id] == message.headers["X-Request-ID"]
            assert envelope.type == SUBJECT
            assert envelope.occurred_at.utcoffset() is not None

    async def test_events_written_after_nats_died_go_out_when_it_reconnects(
        self,
        make_settings: Callable[..., Settings],
        engine: AsyncEngine,
        jetstream: JetStreamContext,
    ) -> None:
        proxy = TcpProxy(4222)
        await proxy.restore()
        app = create_test_app(make_settings(nats_url=f"nats://127.0.0.1:{proxy.port}"))
        async with app_client(app) as client:
            await wait_until(lambda: _connected(app))
            await proxy.cut()  # NATS dies after the relay connected
            response = await client.post("/things", json={"name": "late", "count": 2})
            event_id = uuid.UUID(response.json()["event_id"])
            await asyncio.sleep(1.5)
            assert not await _sent(engine, event_id)
            await proxy.restore()
            await wait_until(lambda: _sent(engine, event_id))
        await proxy.cut()
        assert len((await published(jetstream, {str(event_id)}))[str(event_id)]) == 1


async def _connected(app: Any) -> bool:
    return bool(app.state.nats.connected)


async def _sent(engine: AsyncEngine, event_id: uuid.UUID) -> bool:
    async with AsyncSession(engine) as session:
        row = await session.get(OutboxMessage, event_id)
        return row is not None and row.sent_at is not None


def own_subject() -> str:
    """A subject no other test uses, so parallel tests cannot interfere."""
    return f"logbook.test.c{uuid.uuid4().hex[:12]}.created"


def own_event(name: str, request_id: str | None, subject: str | None = None) -> Envelope:
    """An event on `subject`, by default one of its own."""
    return Envelope(
        id=uuid.uuid4(),
        type=subject or own_subject(),
        version=1,
        occurred_at=utc_now(),
        organization_id=None,
        actor_id=None,
        request_id=request_id,
        data={"name": name},
    )


async def add_rows(engine: AsyncEngine, subject: str, count: int, pad: int = 0) -> list[uuid.UUID]:
    """`count` outbox rows on `subject`, committed, in creation order; `pad` bytes bigger."""
    envelopes = [own_event("x" * pad, None, subject) for _ in range(count)]
    async with AsyncSession(engine) as session, session.begin():
        for envelope in envelopes:
            session.add(
                OutboxMessage(
                    id=envelope.id,
                    subject=subject,
                    payload=encode(envelope),
                    created_at=envelope.occurred_at,
                    attempts=0,
                )
            )
    return [envelope.id for envelope in envelopes]


async def rows_by_id(engine: AsyncEngine, ids: list[uuid.UUID]) -> dict[uuid.UUID, OutboxMessage]:
    async with AsyncSession(engine) as session:
        found = await session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))
        return {row.id: row for row in found}


async def all_sent(engine: AsyncEngine, ids: list[uuid.UUID]) -> bool:
    rows = await rows_by_id(engine, ids)
    return len(rows) == len(ids) and all(row.sent_at is not None for row in rows.values())


@contextlib.asynccontextmanager
async def nats_connection(
    url: str = NATS_URL, stream: str = STREAM
) -> AsyncIterator[NatsConnection]:
    """The services' NATS connection, connected and with its stream."""
    connection = NatsConnection(url, stream, name="test")
    connection.start()
    try:
        await asyncio.wait_for(connection.ready.wait(), 20)
        yield connection
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def running(*loops: BackgroundLoop) -> AsyncIterator[None]:
    for loop in loops:
        loop.start()
    try:
        yield
    finally:
        for loop in loops:
            await loop.stop()


@contextlib.asynccontextmanager
async def core_publishes(subject: str, url: str = NATS_URL) -> AsyncIterator[Counter[str]]:
    """Counts every publish on `subject` by Nats-Msg-Id, including ones JetStream de-duplicates."""
    client: Client = await nats.connect(url)
    seen: Counter[str] = Counter()

    async def count(message: Any) -> None:
        seen[(message.headers or {}).get("Nats-Msg-Id", "")] += 1

    await client.subscribe(subject, cb=count)
    await client.flush()
    try:
        yield seen
    finally:
        await client.close()


class PrivateNats:
    """A nats-server of the test's own, which it may stop and restart without its data."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.url = f"nats://127.0.0.1:{self.port}"
        self._root = root
        self._runs = 0
        self._process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        """Start with a new, empty storage directory."""
        self._runs += 1
        command = [str(Path(sys.executable).parent / "nats-server"), "-a", "127.0.0.1"]
        command += ["-p", str(self.port), "-js", "-sd", str(self._root / f"js{self._runs}")]
        self._process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            await asyncio.sleep(0.05)
        raise AssertionError("nats-server did not start")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)
            self._process = None


@pytest.fixture
async def private_nats(tmp_path: Path) -> AsyncIterator[PrivateNats]:
    server = PrivateNats(tmp_path)
    await server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated SQLite file of the test's own."""
    eng = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'logbook.db'}")
    await migrate(eng)
    yield eng
    await eng.dispose()


@pytest.fixture(params=["sqlite", "mariadb"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated database of the test's own: a SQLite file or a MariaDB database."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'logbook.db'}"
    else:
        url = request.getfixturevalue("fresh_mariadb")
    eng = create_engine(url)
    await migrate(eng)
    await eng.dispose()
    return url


class TestRelayFailures:
    async def test_a_row_nats_refuses_is_parked_once_and_later_rows_go_out(
        self, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
    ) -> None:
        subject = own_subject()
        async with nats_connection() as connection, core_publishes(subject) as seen:
            assert connection.client is not None
            (oversized,) = await add_rows(engine, subject, 1, pad=connection.client.max_payload)
            normal = await add_rows(engine, subject, 5)
            relay = OutboxRelay(
                create_sessionmaker(engine), connection, poll_seconds=0.1, max_attempts=3
            )
            with caplog.at_level(logging.INFO):
                async with running(relay):
                    await wait_until(lambda: all_sent(engine, normal))
                    await wait_until(lambda: _parked(engine, oversized))
                    await asyncio.sleep(0.5)  # more polls: parked rows are left alone
            assert connection.connected
        row = (await rows_by_id(engine, [oversized]))[oversized]
        assert (row.sent_at, row.attempts) == (None, 3)
        assert row.last_error is not None
        assert row.last_error.startswith("MaxPayloadError")
        assert seen == Counter({str(event_id): 1 for event_id in normal})
        parked_logs = [r for r in caplog.records if "outbox.parked" in r.getMessage()]
        assert len(parked_logs) == 1
        assert parked_logs[0].levelno == logging.ERROR
        assert str(oversized) in parked_logs[0].getMessage()

    async def test_failures_while_nats_has_no_stream_do_not_count_towards_parking(
        self, private_nats: PrivateNats, sqlite_engine: AsyncEngine
    ) -> None:
        stream = f"T{uuid.uuid4().hex[:12]}"
        subject = own_subject()
        async with nats_connection(private_nats.url, stream) as connection:
            assert connection.client is not None
            js = connection.client.jetstream()
            await js.delete_stream(stream)  # connected, but every publish fails
            ids = await add_rows(sqlite_engine, subject, 3)
            relay = OutboxRelay(
                create_sessionmaker(sqlite_engine),
                connection,
                poll_seconds=0.1,
                max_backoff_seconds=0.2,
                max_attempts=2,
            )
            async with running(relay):
                await asyncio.sleep(2)
                rows = await rows_by_id(sqlite_engine, ids)
                assert all(row.attempts == 0 for row in rows.values())
                assert all(row.failed_at is None for row in rows.values())
                assert not await all_sent(sqlite_engine, ids)
                await ensure_stream(js, stream)
                await wait_until(lambda: all_sent(sqlite_engine, ids))


async def _parked(engine: AsyncEngine, event_id: uuid.UUID) -> bool:
    row = (await rows_by_id(engine, [event_id]))[event_id]
    return row.failed_at is not None


class TestTwoRelays:
    async def test_each_row_is_published_by_one_relay_only(self, database_url: str) -> None:
        subject = own_subject()
        engines = [create_engine(database_url) for _ in range(2)]
        try:
            ids = await add_rows(engines[0], subject, 120)
            async with (
                core_publishes(subject) as seen,
                nats_connection() as first,
                nats_connection() as second,
            ):
                relays = [
                    OutboxRelay(create_sessionmaker(eng), nats, batch_size=5, poll_seconds=0.1)
                    for eng, nats in zip(engines, (first, second), strict=True)
                ]
                async with running(*relays):
                    await wait_until(lambda: all_sent(engines[0], ids))
                    await asyncio.sleep(0.5)  # publishes still in flight arrive
        finally:
            for eng in engines:
                await eng.dispose()
        assert seen == Counter({str(event_id): 1 for event_id in ids})


class TestStreamAfterRestart:
    async def test_a_nats_restarted_without_its_data_gets_the_stream_back(
        self, private_nats: PrivateNats, sqlite_engine: AsyncEngine
    ) -> None:
        stream = f"T{uuid.uuid4().hex[:12]}"
        subject = own_subject()
        async with nats_connection(private_nats.url, stream) as connection:
            relay = OutboxRelay(
                create_sessionmaker(sqlite_engine),
                connection,
                poll_seconds=0.1,
                max_backoff_seconds=0.5,
            )
            async with running(relay):
                private_nats.stop()
                await private_nats.start()  # empty storage: the stream is gone
                ids = await add_rows(sqlite_engine, subject, 2)
                await wait_until(lambda: all_sent(sqlite_engine, ids))
        client: Client = await nats.connect(private_nats.url)
        try:
            info = await client.jetstream().stream_info(stream)
        finally:
            await client.close()
        assert info.state.messages == 2


class TestDurableConsumer:
    async def _publish(self, js: JetStreamContext, envelope: Envelope, msg_id: str) -> None:
        await js.publish(envelope.type, encode(envelope), headers={"Nats-Msg-Id": msg_id})

    async def test_an_event_delivered_twice_is_handled_once_with_its_request_id(
        self,
        make_settings: Callable[..., Settings],
        engine: AsyncEngine,
        jetstream: JetStreamContext,
    ) -> None:
        calls: list[tuple[uuid.UUID, object]] = []

        async def handler(envelope: Envelope, _session: AsyncSession) -> None:
            calls.append((envelope.id, structlog.contextvars.get_contextvars().get("req_id")))

        durable = f"test-{uuid.uuid4().hex[:12]}"
        envelope = own_event("twice", "req-twice")
        # Two copies with distinct message ids get past JetStream's de-duplication,
        # as a redelivery after a lost ack would.
        await self._publish(jetstream, envelope, "copy-1-" + durable)
        await self._publish(jetstream, envelope, "copy-2-" + durable)
        spec = ConsumerSpec(durable=durable, subject_filter=envelope.type, handler=handler)
        app = create_test_app(make_settings(), consumers=(spec,))
        async with app_client(app):
            await wait_until(lambda: _done(jetstream, engine, durable, envelope.id))
        assert calls == [(envelope.id, "req-twice")]
        assert await _processed(engine, durable, envelope.id) == 1
        await jetstream.delete_consumer(STREAM, durable)

    async def test_a_failing_handler_is_retried_and_its_work_rolled_back(
        self,
        make_settings: Callable[..., Settings],
        engine: AsyncEngine,
        jetstream: JetStreamContext,
    ) -> None:
        attempts: list[int] = []

        async def flaky(_envelope: Envelope, _session: AsyncSession) -> None:
            attempts.append(1)
            if len(attempts) == 1:
                raise RuntimeError("first attempt fails")

        durable = f"test-{uuid.uuid4().hex[:12]}"
        ours = own_event("flaky", "req-flaky")
        await self._publish(jetstream, ours, "flaky-" + durable)
        spec = ConsumerSpec(durable=durable, subject_filter=ours.type, handler=flaky)
        app = create_test_app(make_settings(), consumers=(spec,))
        async with app_client(app):
            await wait_until(lambda: _done(jetstream, engine, durable, ours.id))
        assert len(attempts) == 2
        assert await _processed(engine, durable, ours.id) == 1
        await jetstream.delete_consumer(STREAM, durable)

    async def test_a_handler_that_always_fails_is_tried_max_deliver_times_with_backoff(
        self,
        engine: AsyncEngine,
        jetstream: JetStreamContext,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        tried_at: list[float] = []

        async def poison(_envelope: Envelope, _session: AsyncSession) -> None:
            tried_at.append(time.monotonic())
            raise RuntimeError("this event can never be handled")

        durable = f"test-{uuid.uuid4().hex[:12]}"
        ours = own_event("poison", "req-poison")
        await self._publish(jetstream, ours, "poison-" + durable)
        with caplog.at_level(logging.INFO):
            async with nats_connection() as connection:
                consumer = DurableConsumer(
                    connection,
                    create_sessionmaker(engine),
                    durable=durable,
                    subject_filter=ours.type,
                    handler=poison,
                    max_deliver=3,
                    retry_delay_seconds=0.2,
                )
                async with running(consumer):
                    await wait_until(lambda: _at_least(tried_at, 3))
                    await asyncio.sleep(2)  # a fourth delivery would come within 0.8 s
        assert len(tried_at) == 3
        assert tried_at[1] - tried_at[0] >= 0.2
        assert tried_at[2] - tried_at[1] >= 0.4  # the delay grows with each delivery
        gave_up = [r for r in caplog.records if "consumer.gave_up" in r.getMessage()]
        assert [r.levelno for r in gave_up] == [logging.ERROR]
        assert await _processed(engine, durable, ours.id) == 0
        assert await _acked_all(jetstream, durable)  # terminated: nothing left to redeliver
        await jetstream.delete_consumer(STREAM, durable)


async def _at_least(items: list[float], count: int) -> bool:
    return len(items) >= count


async def _acked_all(js: JetStreamContext, durable: str) -> bool:
    try:
        info = await js.consumer_info(STREAM, durable)
    except nats.js.errors.NotFoundError:
        return False
    return info.num_pending == 0 and info.num_ack_pending == 0 and info.delivered.stream_seq > 0


async def _done(
    js: JetStreamContext, engine: AsyncEngine, durable: str, event_id: uuid.UUID
) -> bool:
    # A nak'd message waiting for its redelivery counts as neither pending nor unacked, so
    # "all acked" alone can be true before the retry: also wait for the handled row.
    return await _processed(engine, durable, event_id) >= 1 and await _acked_all(js, durable)


async def _processed(engine: AsyncEngine, durable: str, event_id: uuid.UUID) -> int:
    # Other tests' events on the same subject may reach this consumer too: count only ours.
    async with AsyncSession(engine) as session:
        stmt = select(func.count()).where(
            ProcessedEvent.consumer == durable, ProcessedEvent.event_id == event_id
        )
        return int(await session.scalar(stmt) or 0)
