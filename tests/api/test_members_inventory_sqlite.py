"""Membership's inventory reads on the embedded SQLite database too (`make run`'s default): the
valued union of the report, the record counts, and the auto-archive, where locking reads are
plain reads."""

import pytest
from sqlalchemy import select

from api.consumers import member_consumers
from shared.events.contracts.inventory import MemberHoldingsChanged
from shared.events.envelope import wrap
from shared.models import (
    ItemAssignment,
    ItemIssuance,
    MemberStatus,
    TrackingType,
    User,
)
from tests.support import factories
from tests.support.inprocess import InProcess

USERS = "/api/v1/users"
pytestmark = pytest.mark.parametrize("database_kind", ["sqlite"])


async def test_report_impact_and_archive(inprocess: InProcess) -> None:
    organization_id, admin = await inprocess.department()
    async with inprocess.seed() as session:
        holder = (await factories.member(session, organization_id, ["member"])).id
        helmet = await factories.inventory_item(session, organization_id, purchase_price="75.25")
        gloves = await factories.inventory_item(
            session, organization_id, tracking_type=TrackingType.POOL, current_value=4
        )
        await factories.item_holder(session, ItemAssignment, helmet, holder)
        await factories.item_holder(session, ItemIssuance, gloves, holder, quantity_issued=5)
    drop = await inprocess.api.patch(
        f"{USERS}/{holder}/status", headers=admin, json={"new_status": "dropped_voluntary"}
    )
    report = drop.json()["property_return_report"]
    assert (report["item_count"], report["total_value"]) == (2, 95.25)
    impact = await inprocess.api.get(f"{USERS}/{holder}/deletion-impact", headers=admin)
    assert impact.json()["inventory_items"] == 2

    (spec,) = member_consumers(inprocess.settings)
    envelope = wrap(
        MemberHoldingsChanged(user_id=holder, remaining_count=0),
        organization_id=organization_id,
        actor_id=None,
        request_id=None,
    )
    async with inprocess.seed() as session:
        await spec.handler(envelope, session)  # still holding both
        # Both come back (written directly, as the returns would).
        assigned = select(ItemAssignment).where(ItemAssignment.user_id == holder)
        for assignment in await session.scalars(assigned):
            assignment.is_active = False
        for issuance in await session.scalars(
            select(ItemIssuance).where(ItemIssuance.user_id == holder)
        ):
            issuance.is_returned = True
    async with inprocess.seed() as session:
        user = await session.get(User, holder)
        assert user is not None
        assert user.status is MemberStatus.DROPPED_VOLUNTARY
        await spec.handler(envelope, session)
    async with inprocess.seed() as session:
        user = await session.get(User, holder, populate_existing=True)
        assert user is not None
        assert user.status is MemberStatus.ARCHIVED
        assert user.archived_at is not None
