"""The auto-archive racing inventory's returns on MariaDB. The consumer locks the member's row,
then counts their records with locking reads that never wait (a return holds its record while
it waits for the member's row): a record in the middle of a change fails the delivery, which
the consumer framework tries again later. No deadlock, no refused return, one archive.

Each request and each delivery runs on a connection and transaction of its own (the
`org_own_app` fixture: an app on its own engine, rows committed), sent together with
`asyncio.gather`.
"""

import asyncio
import contextlib
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from api.consumers import member_consumers
from api.members.holdings_repository import HoldingsChangingError
from shared.events.contracts.inventory import MemberHoldingsChanged
from shared.events.envelope import Envelope, decode, wrap
from shared.models import AuditLog, ItemAssignment, MemberStatus, OutboxMessage, User
from tests.api.signed_in import (  # noqa: F401 - the fixtures: `org` on an app of its own
    SignedInOrganization,
    org_on_own_app,
    own_app_organization,
)
from tests.support import factories

ITEMS = "/api/v1/inventory/items"
ITEM_COUNT = 6
DELIVERERS = 4


async def deliver(org: SignedInOrganization, envelope: Envelope) -> None:
    """One delivery: the handler in a transaction of its own, as the consumer framework runs it."""
    (spec,) = member_consumers(org.settings)
    async with org.sessions() as session, session.begin():
        await spec.handler(envelope, session)


async def holdings_events(org: SignedInOrganization, user_id: uuid.UUID) -> list[Envelope]:
    async with org.sessions() as session:
        payloads = await session.scalars(
            select(OutboxMessage.payload)
            .where(OutboxMessage.subject == MemberHoldingsChanged.subject)
            .order_by(OutboxMessage.created_at)
        )
        found = [decode(payload) for payload in payloads]
    return [event for event in found if event.data["user_id"] == str(user_id)]


async def test_deliveries_racing_the_last_returns_archive_once(org: SignedInOrganization) -> None:
    async with org.sessions() as session:
        holder = await factories.member(session, org.organization_id, ["member"])
        items = [
            await factories.inventory_item(session, org.organization_id) for _ in range(ITEM_COUNT)
        ]
        await session.commit()
    for item in items:
        answer = await org.api.post(
            f"{ITEMS}/{item.id}/assign", json={"user_id": str(holder.id)}, headers=org.admin
        )
        assert answer.status_code == 200, answer.text
    dropped = await org.api.patch(
        f"/api/v1/users/{holder.id}/status",
        json={"new_status": "dropped_voluntary"},
        headers=org.admin,
    )
    assert dropped.json()["property_return_report"]["item_count"] == ITEM_COUNT
    # Events claiming nothing is held, delivered while the items come back.
    early = wrap(
        MemberHoldingsChanged(user_id=holder.id, remaining_count=0),
        organization_id=org.organization_id,
        actor_id=None,
        request_id=None,
    )

    async def unassign(item_id: uuid.UUID) -> Any:
        return await org.api.post(f"{ITEMS}/{item_id}/unassign", json={}, headers=org.admin)

    async def keep_delivering(returns: "asyncio.Future[Any]") -> int:
        deliveries = 0
        while not returns.done():
            # Busy records fail a delivery (retried later); a deadlock would fail the test.
            with contextlib.suppress(HoldingsChangingError):
                await deliver(org, early)
            deliveries += 1
        return deliveries

    returns = asyncio.gather(*(unassign(item.id) for item in items))
    delivered = await asyncio.gather(*(keep_delivering(returns) for _ in range(DELIVERERS)))

    assert [answer.status_code for answer in await returns] == [200] * ITEM_COUNT
    assert sum(delivered) >= DELIVERERS
    reported = await holdings_events(org, holder.id)
    assert sorted(event.data["remaining_count"] for event in reported) == list(range(ITEM_COUNT))
    for event in reported:  # every real event too, in any order
        await deliver(org, event)
    async with org.sessions() as session:
        user = await session.get(User, holder.id)
        archived_entries = await session.scalar(
            select(func.count()).where(
                AuditLog.organization_id == org.organization_id,
                AuditLog.event_type == "member_archived",
            )
        )
    assert user is not None
    assert user.status is MemberStatus.ARCHIVED
    assert archived_entries == 1


async def test_a_delivery_never_waits_for_a_record_being_changed(org: SignedInOrganization) -> None:
    async with org.sessions() as session:
        holder = await factories.member(
            session, org.organization_id, ["member"], status=MemberStatus.DROPPED_INVOLUNTARY
        )
        item = await factories.inventory_item(session, org.organization_id)
        record = await factories.item_holder(session, ItemAssignment, item, holder.id)
        await session.commit()
    zero = wrap(
        MemberHoldingsChanged(user_id=holder.id, remaining_count=0),
        organization_id=org.organization_id,
        actor_id=None,
        request_id=None,
    )
    # A return in progress: its record locked, closed, not yet committed.
    async with org.sessions() as returning, returning.begin():
        locked = select(ItemAssignment).where(ItemAssignment.id == record.id).with_for_update()
        (await returning.scalars(locked)).one().is_active = False
        await returning.flush()
        # Waiting would reach the lock wait timeout (50 s), long after this one.
        with pytest.raises(HoldingsChangingError):
            await asyncio.wait_for(deliver(org, zero), timeout=10)
        async with org.sessions() as session:
            still = await session.get(User, holder.id)
            assert still is not None
            assert still.status is MemberStatus.DROPPED_INVOLUNTARY
    await deliver(org, zero)  # the redelivery, once the return has committed
    async with org.sessions() as session:
        user = await session.get(User, holder.id)
    assert user is not None
    assert user.status is MemberStatus.ARCHIVED
