"""Inventory's daily jobs (spec inventory.md §8): what they publish for one organization's day.

That each runs once per organization and day however many instances tick is the scheduled-work
facility's promise, tested in tests/shared/test_scheduled_work.py; here the jobs' work runs on
the test's rolled-back connection, with the moment given.
"""

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.app import SPEC
from api.consumers import notification_consumers
from api.inventory.daily import DAILY_JOBS
from shared.events.envelope import decode
from shared.models import CheckoutRecord, InventoryItem, OutboxMessage, TrackingType
from shared.scheduled.work import ScheduledJob
from tests.api.department import Department
from tests.api.inventory_support import org_id
from tests.support import factories

NOW = datetime(2026, 12, 5, 13, 30, tzinfo=UTC)  # 07:30 in Chicago
JOBS = {job.name: job for job in DAILY_JOBS}


@pytest.fixture
def dept(department: Department) -> Department:
    return department


def run_job(dept: Department, name: str, now: datetime = NOW) -> list[dict[str, Any]]:
    """Run the job's work for the department's day; the envelopes it wrote."""
    job: ScheduledJob = JOBS[name]
    key = f"{now.date().isoformat()}/{org_id(dept)}"

    async def work(session: AsyncSession) -> list[dict[str, Any]]:
        before = set((await session.scalars(select(OutboxMessage.id))).all())
        await job.run(session, key, now)
        rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.id.not_in(before)))
        return [json.loads(row.payload) for row in rows]

    return dept.run(work)


def pool_item(dept: Department, **fields: Any) -> InventoryItem:
    async def work(session: AsyncSession) -> InventoryItem:
        return await factories.inventory_item(
            session, org_id(dept), tracking_type=TrackingType.POOL, **fields
        )

    return dept.run(work)


def checkout(dept: Department, user_id: str, due: datetime | None, name: str) -> CheckoutRecord:
    async def work(session: AsyncSession) -> CheckoutRecord:
        item = await factories.inventory_item(session, org_id(dept), name=name)
        record = await factories.item_holder(
            session, CheckoutRecord, item, uuid.UUID(user_id), expected_return_at=due
        )
        assert isinstance(record, CheckoutRecord)
        return record

    return dept.run(work)


class TestSchedule:
    def test_the_api_ticks_both_jobs_at_their_local_hours(self) -> None:
        assert {job.name for job in SPEC.scheduled} >= {
            "inventory.low_stock",
            "inventory.checkouts_due",
        }

    def test_due_from_seven_and_half_past_seven_local(self, dept: Department) -> None:
        async def keys(session: AsyncSession, name: str, at: datetime) -> list[str]:
            return list(await JOBS[name].due(session, at))

        async def work(session: AsyncSession) -> dict[str, list[str]]:
            org = await factories.organization(session, timezone="America/Chicago")
            mine = f"2026-12-05/{org.id}"
            seen = {
                label: await keys(session, name, at)
                for label, name, at in (
                    ("stock 06:59", "inventory.low_stock", NOW - timedelta(minutes=31)),
                    ("stock 07:00", "inventory.low_stock", NOW - timedelta(minutes=30)),
                    ("due 07:29", "inventory.checkouts_due", NOW - timedelta(minutes=1)),
                    ("due 07:30", "inventory.checkouts_due", NOW),
                )
            }
            return {label: [k for k in found if k == mine] for label, found in seen.items()}

        found = dept.run(work)
        assert [label for label, hits in found.items() if hits] == ["stock 07:00", "due 07:30"]


class TestLowStock:
    def test_pool_items_at_or_below_their_reorder_point_are_listed(self, dept: Department) -> None:
        low = pool_item(dept, name="Gloves", quantity=3, reorder_point=5)
        at = pool_item(dept, name="Masks", quantity=5, reorder_point=5)
        pool_item(dept, name="Hoods", quantity=6, reorder_point=5)
        pool_item(dept, name="Tape", quantity=0)  # no reorder point: never reported
        pool_item(dept, name="Retired", quantity=0, reorder_point=5, active=False)

        (event,) = run_job(dept, "inventory.low_stock")

        assert event["type"] == "logbook.api.inventory.stock_low"
        assert event["organization_id"] == str(org_id(dept))
        assert event["data"]["items"] == [
            {"item_id": str(low.id), "item_name": "Gloves", "on_hand": 3, "reorder_point": 5},
            {"item_id": str(at.id), "item_name": "Masks", "on_hand": 5, "reorder_point": 5},
        ]

    def test_nothing_low_publishes_nothing(self, dept: Department) -> None:
        pool_item(dept, quantity=9, reorder_point=2)
        assert run_job(dept, "inventory.low_stock") == []


class TestCheckoutsDue:
    def test_each_borrower_hears_of_overdue_and_tomorrows_returns(self, dept: Department) -> None:
        first, _ = dept.add_member("member")
        second, _ = dept.add_member("member")
        late = checkout(dept, first, NOW - timedelta(days=2), "Radio 1")
        later = checkout(dept, first, NOW - timedelta(hours=1), "Radio 2")
        soon = checkout(dept, first, NOW + timedelta(hours=20), "Radio 3")
        checkout(dept, first, NOW + timedelta(days=3), "Radio 4")  # not yet
        checkout(dept, first, None, "Radio 5")  # no due time: never reminded
        other = checkout(dept, second, NOW + timedelta(hours=2), "Radio 6")

        events = run_job(dept, "inventory.checkouts_due")

        by_kind = {(e["type"].rsplit(".", 1)[1], e["data"]["user_id"]): e for e in events}
        assert set(by_kind) == {
            ("checkouts_overdue", first),
            ("checkouts_due_soon", first),
            ("checkouts_due_soon", second),
        }
        overdue = by_kind[("checkouts_overdue", first)]["data"]["checkouts"]
        assert [c["checkout_id"] for c in overdue] == [str(late.id), str(later.id)]
        assert overdue[0]["item_name"] == "Radio 1"
        assert overdue[0]["expected_return_at"].endswith("Z")
        due_soon = by_kind[("checkouts_due_soon", first)]["data"]["checkouts"]
        assert [c["checkout_id"] for c in due_soon] == [str(soon.id)]
        other_soon = by_kind[("checkouts_due_soon", second)]["data"]["checkouts"]
        assert [c["checkout_id"] for c in other_soon] == [str(other.id)]

    def test_the_stored_overdue_flag_is_refreshed(self, dept: Department) -> None:
        borrower, _ = dept.add_member("member")
        late = checkout(dept, borrower, NOW - timedelta(minutes=5), "Saw")
        extended = checkout(dept, borrower, NOW + timedelta(days=5), "Drill")

        async def mark_extended_overdue(session: AsyncSession) -> None:
            record = await session.get(CheckoutRecord, extended.id)
            assert record is not None
            record.is_overdue = True  # flagged yesterday, extended since

        dept.run(mark_extended_overdue)
        run_job(dept, "inventory.checkouts_due")

        async def flags(session: AsyncSession) -> dict[uuid.UUID, bool]:
            rows = await session.execute(
                select(CheckoutRecord.id, CheckoutRecord.is_overdue).where(
                    CheckoutRecord.id.in_([late.id, extended.id])
                )
            )
            return {row[0]: row[1] for row in rows}

        assert dept.run(flags) == {late.id: True, extended.id: False}


class TestReminders:
    """The reminders reach the borrower's inbox through the inventory notification consumer."""

    def deliver(self, dept: Department, envelope: dict[str, Any]) -> None:
        (spec,) = [
            spec
            for spec in notification_consumers(dept.api.settings)
            if spec.durable == "api-notifications-inventory"
        ]

        async def work(session: AsyncSession) -> None:
            await spec.handler(decode(json.dumps(envelope).encode()), session)

        dept.run(work)

    def inbox(self, dept: Department, username: str) -> list[dict[str, Any]]:
        with dept.signed_in(username) as client:
            response = client.get("/api/v1/notifications/my")
        assert response.status_code == 200, response.text
        return list(response.json()["logs"])

    def test_an_overdue_reminder_is_one_entry_naming_the_items(self, dept: Department) -> None:
        borrower, username = dept.add_member("member")
        checkout(dept, borrower, NOW - timedelta(days=2), "Radio 1")
        checkout(dept, borrower, NOW - timedelta(hours=1), "Radio 2")
        (overdue,) = [
            e
            for e in run_job(dept, "inventory.checkouts_due")
            if e["type"].endswith("checkouts_overdue")
        ]

        self.deliver(dept, overdue)
        self.deliver(dept, overdue)  # redelivered: nothing more

        (entry,) = self.inbox(dept, username)
        assert entry["category"] == "inventory"
        assert entry["subject"] == "Equipment overdue"
        assert entry["message"] == (
            "Past its return date: Radio 1 (due 2026-12-03); Radio 2 (due 2026-12-05)."
        )
        assert entry["action_url"] == "/inventory/my-equipment"

    def test_low_stock_reaches_each_inventory_manager_once(self, dept: Department) -> None:
        _, quartermaster = dept.add_member("quartermaster")
        _, member = dept.add_member("member")
        pool_item(dept, name="Gloves", quantity=1, reorder_point=4)
        (low,) = run_job(dept, "inventory.low_stock")

        self.deliver(dept, low)
        self.deliver(dept, low)  # redelivered: nothing more

        for manager in (dept.admin_username, quartermaster):
            (entry,) = self.inbox(dept, manager)
            assert (entry["category"], entry["subject"]) == ("inventory", "Low stock")
            assert entry["message"] == (
                "At or below their reorder point: Gloves: 1 on hand (reorder at 4)."
            )
            assert entry["action_url"] == "/inventory"
        assert self.inbox(dept, member) == []
