"""The outbox, its relay and durable consumers against the real NATS JetStream and MariaDB."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
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
from shared.db.types import utc_now
from shared.events.envelope import Envelope, decode, encode
from shared.models.outbox import OutboxMessage, ProcessedEvent
from shared.settings import Settings
from tests.conftest import NATS_URL
from tests.support.app import ThingCreated, create_test_app
from tests.support.client import app_client
from tests.support.proxy import TcpProxy

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


def own_event(name: str, request_id: str) -> Envelope:
    """An event on a subject no other test uses, so parallel tests cannot interfere."""
    subject = f"logbook.test.c{uuid.uuid4().hex[:12]}.created"
    return Envelope(
        id=uuid.uuid4(),
        type=subject,
        version=1,
        occurred_at=utc_now(),
        organization_id=None,
        actor_id=None,
        request_id=request_id,
        data={"name": name},
    )


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
