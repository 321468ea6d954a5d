"""The unread count is kept in the member cache and dropped whenever the member's inbox changes.

Every open tab polls the count every 60 s; the cached answer must never outlive a change: a
read on this instance drops it after commit, and every instance drops it on the
`InboxesChanged` event that reads and new entries publish.
"""

from datetime import timedelta
from uuid import UUID, uuid4

from nats.aio.client import Client
from sqlalchemy import select

from api.consumers import notification_consumers
from shared.events.contracts.auth import MfaEnabled
from shared.events.contracts.notifications import InboxesChanged
from shared.events.envelope import Envelope, decode, encode, wrap
from shared.events.nats import NatsConnection, ensure_stream
from shared.models import OutboxMessage
from shared.session_liveness import SessionLiveness
from tests.api.notifications_support import INBOX, add_notification
from tests.api.signed_in import SignedInOrganization, signed_in_organization  # noqa: F401
from tests.support.servers import NatsServer
from tests.support.waiting import wait_for

STREAM = "LOGBOOK_INBOX_CACHE_TEST"


async def unread(org: SignedInOrganization, headers: dict[str, str]) -> int:
    response = await org.api.get(f"{INBOX}/unread-count", headers=headers)
    assert response.status_code == 200, response.text
    return int(response.json()["unread_count"])


async def inbox_events(org: SignedInOrganization) -> list[Envelope]:
    async with org.sessions() as session:
        payloads = await session.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.subject == InboxesChanged.subject)
        )
        found = [decode(payload) for payload in payloads]
    return [event for event in found if event.organization_id == org.organization_id]


class TestCachedCount:
    async def test_a_read_drops_the_cached_count_and_tells_other_instances(
        self, org: SignedInOrganization
    ) -> None:
        member, headers = await org.member()
        first = await add_notification(org, member.id)
        await add_notification(org, member.id)
        assert await unread(org, headers) == 2
        assert (await org.api.post(f"{INBOX}/{first.id}/read", headers=headers)).status_code == 200
        assert await unread(org, headers) == 1
        assert (await org.api.post(f"{INBOX}/read-all", headers=headers)).status_code == 200
        assert await unread(org, headers) == 0
        events = await inbox_events(org)
        assert [(e.data["user_ids"], e.data["change"]) for e in events] == [
            ([str(member.id)], "read"),
            ([str(member.id)], "read"),
        ]

    async def test_a_managers_read_all_names_every_member_it_changed(
        self, org: SignedInOrganization
    ) -> None:
        one, _ = await org.member()
        two, _ = await org.member()
        for member in (one, two, two):
            await add_notification(org, member.id)
        marked = await org.api.post("/api/v1/notifications/logs/read-all", headers=org.admin)
        assert marked.json() == {"marked_read": 3}
        (event,) = await inbox_events(org)
        assert sorted(event.data["user_ids"]) == sorted([str(one.id), str(two.id)])

    async def test_an_unchanged_inbox_is_answered_from_the_cache(
        self, org: SignedInOrganization
    ) -> None:
        member, headers = await org.member()
        assert await unread(org, headers) == 0
        # Written behind the api's back (no event): the cached answer stands until it expires.
        await add_notification(org, member.id)
        assert await unread(org, headers) == 0
        assert await inbox_events(org) == []

    async def test_a_new_entry_announces_the_members_inbox_changed(
        self, org: SignedInOrganization
    ) -> None:
        member, _ = await org.member()
        data = MfaEnabled(user_id=str(member.id), ip_address=None, user_agent=None)
        event = wrap(data, organization_id=org.organization_id, actor_id=None, request_id=None)
        handler = notification_consumers(org.settings)[0].handler
        async with org.sessions() as session, session.begin():
            await handler(event, session)
        (changed,) = await inbox_events(org)
        assert (changed.data, changed.actor_id) == (
            {"user_ids": [str(member.id)], "change": "added"},
            None,
        )


class TestEveryInstanceForgets:
    async def test_the_event_drops_the_members_from_every_instances_cache(
        self, nats_server: NatsServer
    ) -> None:
        forgotten: list[UUID | None] = []
        connection = NatsConnection(nats_server.url, STREAM, name="inbox-cache-test")
        liveness = SessionLiveness(
            connection,
            token_lifetime=timedelta(minutes=30),
            idle_timeout=timedelta(minutes=15),
            on_member_event=forgotten.append,
        )
        connection.start()
        liveness.start()
        try:
            await wait_for(lambda: liveness.settled, what="followers current")
            members = [uuid4(), uuid4()]
            client = Client()
            await client.connect(nats_server.url, connect_timeout=2, allow_reconnect=False)
            try:
                js = client.jetstream()
                await ensure_stream(js, STREAM)
                data = InboxesChanged(user_ids=members, change="read")
                envelope = wrap(data, organization_id=uuid4(), actor_id=None, request_id="r")
                await js.publish(data.subject, encode(envelope), stream=STREAM)
            finally:
                await client.close()
            await wait_for(lambda: set(members) <= set(forgotten), what="members forgotten")
        finally:
            await liveness.stop()
            await connection.close()
