"""The live sockets' fan-out: frames by organization and action, and the per-organization cap.

The socket itself is tested through the gateway (tests/e2e/test_inventory_live.py).
"""

import uuid

import msgspec

from api.inventory.live import LiveInventory
from api.inventory.lookup_index import CodeIndex, CodeIndexes
from shared.db.types import utc_now
from shared.events.envelope import Envelope
from shared.events.nats import NatsConnection

ORG = uuid.uuid4()


def live(per_organization: int = 10, codes: CodeIndexes | None = None) -> LiveInventory:
    # Never started: frames are handed to it as its follower would.
    return LiveInventory(
        NatsConnection("nats://127.0.0.1:1", "X", name="test"),
        codes or CodeIndexes(),
        per_organization=per_organization,
    )


def event(verb: str, organization_id: uuid.UUID = ORG, **data: object) -> bytes:
    envelope = Envelope(
        id=uuid.uuid4(),
        type=f"logbook.api.inventory.{verb}",
        version=1,
        occurred_at=utc_now(),
        organization_id=organization_id,
        actor_id=None,
        request_id=None,
        data={"item_id": "i-1", **data},
    )
    return msgspec.json.encode(envelope)


class TestFanOut:
    def test_every_socket_of_the_organization_gets_the_frame(self) -> None:
        hub = live()
        mine = [hub.join(ORG), hub.join(ORG)]
        other = hub.join(uuid.uuid4())
        hub._deliver(event("item_assigned"))
        for queue in mine:
            assert queue is not None
            assert msgspec.json.decode(queue.get_nowait()) == {
                "type": "inventory_changed",
                "action": "item_assigned",
                "data": {"item_id": "i-1"},
            }
        assert other is not None
        assert other.empty()

    def test_events_the_page_does_not_know_push_nothing(self) -> None:
        hub = live()
        queue = hub.join(ORG)
        hub._deliver(event("member_holdings_changed"))
        hub._deliver(b"not an envelope")
        assert queue is not None
        assert queue.empty()

    def test_a_stalled_socket_does_not_stop_the_others(self) -> None:
        hub = live()
        stalled, fresh = hub.join(ORG), hub.join(ORG)
        assert stalled is not None
        assert fresh is not None
        for _ in range(stalled.maxsize):
            stalled.put_nowait(b"{}")
        hub._deliver(event("item_created"))
        assert fresh.qsize() == 1


class TestCap:
    def test_past_the_cap_a_socket_is_refused_until_one_leaves(self) -> None:
        hub = live(per_organization=2)
        first, second = hub.join(ORG), hub.join(ORG)
        assert first is not None
        assert second is not None
        assert hub.join(ORG) is None
        assert hub.join(uuid.uuid4()) is not None  # another organization has its own
        hub.leave(ORG, first)
        assert hub.join(ORG) is not None


class TestScanIndexes:
    async def test_item_events_forget_the_organization_s_scan_index(self) -> None:
        codes = CodeIndexes()
        hub = live(codes=codes)
        loads: list[uuid.UUID] = []

        async def index(organization_id: uuid.UUID) -> CodeIndex:
            async def load() -> list[tuple[uuid.UUID, tuple[str | None, ...]]]:
                loads.append(organization_id)
                return []

            return await codes.get(organization_id, load)

        other = uuid.uuid4()
        await index(ORG)
        await index(other)
        for verb, data in (
            ("item_created", {}),
            ("item_updated", {"changed_fields": ["barcode"]}),
            ("item_retired", {}),
            ("item_updated", {"changed_fields": ["active"]}),
        ):
            hub._deliver(event(verb, **data))
            await index(ORG)
        # Neither a change of other fields, nor a holder's change, nor another organization's.
        hub._deliver(event("item_updated", changed_fields=["notes", "quantity"]))
        hub._deliver(event("item_checked_out"))
        await index(ORG)
        await index(other)
        assert loads == [ORG, other, ORG, ORG, ORG, ORG]
        await codes.close()
