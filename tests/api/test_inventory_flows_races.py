"""Races of the holder flows on MariaDB (spec inventory.md §5): many requests at the same moment,
each on a connection and transaction of its own, through the in-process api.

The rolled-back fixture of the other inventory tests runs every request on one connection, where
nothing can overlap; these tests use the `org_own_app` fixture instead (an app on its own engine,
rows committed in the worker's database), and `asyncio.gather` sends the requests together.
"""

import asyncio
import json
import uuid
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import func, select

from shared.models import (
    CheckoutRecord,
    InventoryItem,
    ItemAssignment,
    ItemIssuance,
    OutboxMessage,
    TrackingType,
)
from tests.api.signed_in import (  # noqa: F401 - the fixtures: `org` on an app of its own
    SignedInOrganization,
    org_on_own_app,
    own_app_organization,
)
from tests.support import factories

BASE = "/api/v1/inventory"


async def seeded(org: SignedInOrganization, **item: Any) -> tuple[uuid.UUID, uuid.UUID]:
    """A committed item of the organization and a member to hand it to."""
    async with org.sessions() as session:
        created = await factories.inventory_item(session, org.organization_id, **item)
        holder = await factories.member(session, org.organization_id, ["member"])
        await session.commit()
    return created.id, holder.id


async def at_once(count: int, send: Any) -> Counter[int]:
    """The statuses of `count` requests sent together."""
    answers: list[httpx.Response] = await asyncio.gather(*(send() for _ in range(count)))
    return Counter(answer.status_code for answer in answers)


async def scalar(org: SignedInOrganization, statement: Any) -> Any:
    async with org.sessions() as session:
        return await session.scalar(statement)


async def events(org: SignedInOrganization, verb: str, item_id: uuid.UUID) -> int:
    """How many `logbook.api.inventory.<verb>` events name the item."""
    async with org.sessions() as session:
        payloads = await session.scalars(
            select(OutboxMessage.payload).where(
                OutboxMessage.subject == f"logbook.api.inventory.{verb}"
            )
        )
        return sum(1 for payload in payloads if str(item_id).encode() in payload)


async def test_twenty_checkouts_of_one_item_lend_it_once(org: SignedInOrganization) -> None:
    item_id, holder = await seeded(org)
    body = {"item_id": str(item_id), "user_id": str(holder)}

    statuses = await at_once(
        20, lambda: org.api.post(f"{BASE}/checkout", json=body, headers=org.admin)
    )

    assert statuses == Counter({201: 1, 409: 19})
    open_records = select(func.count()).where(
        CheckoutRecord.item_id == item_id, CheckoutRecord.is_returned.is_(False)
    )
    assert await scalar(org, open_records) == 1
    assert await scalar(org, select(InventoryItem.status).where(InventoryItem.id == item_id)) == (
        "checked_out"
    )
    assert await events(org, "item_checked_out", item_id) == 1


async def test_twenty_check_ins_of_one_checkout_close_it_once(org: SignedInOrganization) -> None:
    item_id, holder = await seeded(org)
    lent = await org.api.post(
        f"{BASE}/checkout",
        json={"item_id": str(item_id), "user_id": str(holder)},
        headers=org.admin,
    )
    assert lent.status_code == 201, lent.text
    path = f"{BASE}/checkout/{lent.json()['id']}/checkin"

    statuses = await at_once(
        20, lambda: org.api.post(path, json={"return_condition": "good"}, headers=org.admin)
    )

    assert statuses == Counter({200: 1, 409: 19})
    assert await events(org, "item_checked_in", item_id) == 1
    assert await scalar(org, select(InventoryItem.status).where(InventoryItem.id == item_id)) == (
        "available"
    )


async def test_fifty_issues_of_one_unit_never_take_more_than_is_on_hand(
    org: SignedInOrganization,
) -> None:
    on_hand = 7
    item_id, holder = await seeded(org, tracking_type=TrackingType.POOL, quantity=on_hand)
    path = f"{BASE}/items/{item_id}/issue"

    statuses = await at_once(
        50, lambda: org.api.post(path, json={"user_id": str(holder)}, headers=org.admin)
    )

    assert statuses == Counter({201: on_hand, 409: 50 - on_hand})
    counters = select(InventoryItem.quantity, InventoryItem.quantity_issued).where(
        InventoryItem.id == item_id
    )
    async with org.sessions() as session:
        assert tuple((await session.execute(counters)).one()) == (0, on_hand)
        issued = await session.scalar(
            select(func.sum(ItemIssuance.quantity_issued)).where(ItemIssuance.item_id == item_id)
        )
    assert issued == on_hand
    assert await events(org, "pool_issued", item_id) == on_hand


async def test_concurrent_returns_of_one_issuance_restock_it_once(
    org: SignedInOrganization,
) -> None:
    item_id, holder = await seeded(org, tracking_type=TrackingType.POOL, quantity=3)
    issued = await org.api.post(
        f"{BASE}/items/{item_id}/issue",
        json={"user_id": str(holder), "quantity": 3},
        headers=org.admin,
    )
    assert issued.status_code == 201, issued.text
    path = f"{BASE}/issuances/{issued.json()['id']}/return"

    statuses = await at_once(10, lambda: org.api.post(path, json={}, headers=org.admin))

    assert statuses == Counter({200: 1, 409: 9})
    counters = select(InventoryItem.quantity, InventoryItem.quantity_issued).where(
        InventoryItem.id == item_id
    )
    async with org.sessions() as session:
        assert tuple((await session.execute(counters)).one()) == (3, 0)


async def test_a_members_concurrent_returns_each_count_what_the_others_left(
    org: SignedInOrganization,
) -> None:
    async with org.sessions() as session:
        holder = await factories.member(session, org.organization_id, ["member"])
        items = [await factories.inventory_item(session, org.organization_id) for _ in range(6)]
        await session.commit()
    for item in items:
        assigned = await org.api.post(
            f"{BASE}/items/{item.id}/assign", json={"user_id": str(holder.id)}, headers=org.admin
        )
        assert assigned.status_code == 200, assigned.text
    pending = iter(items)

    statuses = await at_once(
        len(items),
        lambda: org.api.post(
            f"{BASE}/items/{next(pending).id}/unassign", json={}, headers=org.admin
        ),
    )

    assert statuses == Counter({200: len(items)})
    async with org.sessions() as session:
        payloads = await session.scalars(
            select(OutboxMessage.payload).where(
                OutboxMessage.subject == "logbook.api.inventory.member_holdings_changed"
            )
        )
        counts = [
            json.loads(payload)["data"]["remaining_count"]
            for payload in payloads
            if str(holder.id).encode() in payload
        ]
    # One return at a time for the member: the last one tells membership nothing is left.
    assert sorted(counts) == list(range(len(items)))


async def test_batches_naming_the_same_items_in_any_order_never_deadlock(
    org: SignedInOrganization,
) -> None:
    async with org.sessions() as session:
        items = [await factories.inventory_item(session, org.organization_id) for _ in range(4)]
        members = [await factories.member(session, org.organization_id) for _ in range(8)]
        await session.commit()
    orders = [items if n % 2 else items[::-1] for n in range(len(members))]
    bodies = iter(
        {"user_id": str(who.id), "items": [{"code": "-", "item_id": str(i.id)} for i in order]}
        for who, order in zip(members, orders, strict=True)
    )

    answers: list[httpx.Response] = await asyncio.gather(
        *(
            org.api.post(f"{BASE}/batch-checkout", json=next(bodies), headers=org.admin)
            for _ in members
        )
    )

    assert [answer.status_code for answer in answers] == [200] * len(members)
    # Each item went to one member, whole: the first batch to lock them all took them all.
    assert sorted(answer.json()["successful"] for answer in answers) == [0] * 7 + [4]
    async with org.sessions() as session:
        active = await session.scalar(
            select(func.count()).where(
                ItemAssignment.item_id.in_([i.id for i in items]),
                ItemAssignment.is_active.is_(True),
            )
        )
    assert active == len(items)
