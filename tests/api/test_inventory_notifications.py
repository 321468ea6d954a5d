"""Inbox entries from inventory holder changes (spec inventory.md §8, addendum §5.5): one pending
entry per member folds the hour's changes, opposite pairs cancel out, redelivery adds nothing.

The notification consumer's handler is fed envelopes as the durable consumer would, on the
test's rolled-back connection; members read the result through their inbox.
"""

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.consumers import notification_consumers
from shared.events.contracts.inventory import (
    BatchCheckout,
    ItemCheckedIn,
    ItemCheckedOut,
    ItemCreated,
    PoolIssued,
    PoolReturned,
)
from shared.events.envelope import Envelope, EventData, decode, wrap
from shared.models import MemberStatus, NotificationLog, TrackingType
from tests.api.department import Department
from tests.api.inventory_inbox_support import (
    DURABLE,
    INBOX,
    assigned,
    deliver,
    envelope,
    inbox,
    member,
    pool,
    stored,
    unassigned,
)
from tests.api.inventory_support import BASE, org_id, seed_item
from tests.api.signed_in import (  # noqa: F401 - the `org_own_app` fixture
    SignedInOrganization,
    own_app_organization,
)

ITEMS = f"{BASE}/items"


@pytest.fixture
def dept(department: Department) -> Department:
    return department


class TestOneChange:
    def test_an_assignment_reaches_the_members_inbox(self, dept: Department) -> None:
        user_id, username = member(dept)
        deliver(dept, envelope(dept, assigned(user_id, uuid.uuid4())))
        (entry,) = inbox(dept, username)
        assert (entry["category"], entry["subject"], entry["message"]) == (
            "inventory",
            "Assigned to you: Helmet",
            "Assigned to you: Helmet.",
        )
        assert (entry["channel"], entry["read"], entry["action_url"]) == (
            "in_app",
            False,
            "/inventory/my-equipment",
        )
        with dept.signed_in(username) as client:
            assert client.get(f"{INBOX}/unread-count").json() == {"unread_count": 1}
        subjects = dept.query(
            "SELECT payload FROM outbox WHERE subject = 'logbook.api.notification.inboxes_changed'"
        )
        assert any(str(user_id) in bytes(row["payload"]).decode() for row in subjects)

    def test_each_action_has_its_sentence(self, dept: Department) -> None:
        due = datetime(2031, 3, 4, 17, 30, tzinfo=UTC)
        item = uuid.uuid4()
        cases: list[tuple[Callable[[uuid.UUID, uuid.UUID], EventData], str]] = [
            (unassigned, "No longer assigned to you: Helmet"),
            (lambda u, i: pool(PoolIssued, u, i, 3), "Issued to you: 3 x Gloves"),
            (lambda u, i: pool(PoolReturned, u, i, 2), "Returned: 2 x Gloves"),
            (
                lambda u, i: ItemCheckedOut(
                    checkout_id=uuid.uuid4(),
                    item_id=i,
                    item_name="Radio",
                    user_id=u,
                    expected_return_at=due,
                ),
                "Checked out to you: Radio, due back 2031-03-04 17:30 UTC",
            ),
            (
                lambda u, i: ItemCheckedIn(
                    checkout_id=uuid.uuid4(),
                    item_id=i,
                    item_name="Radio",
                    user_id=u,
                    expected_return_at=due,
                    return_condition="good",
                ),
                "Checked in: Radio",
            ),
        ]
        for make, sentence in cases:
            user_id, username = member(dept)
            deliver(dept, envelope(dept, make(user_id, item)))
            assert [entry["subject"] for entry in inbox(dept, username)] == [sentence]

    def test_an_event_delivered_twice_makes_one_entry(self, dept: Department) -> None:
        user_id, _ = member(dept)
        event = envelope(dept, assigned(user_id, uuid.uuid4()))
        deliver(dept, event)
        deliver(dept, event)
        (entry,) = stored(dept, user_id)
        assert entry.source_event_id == event.id
        assert len(entry.extra_data["changes"]) == 1  # type: ignore[index]


class TestFolding:
    def test_the_hours_changes_fold_into_one_entry(self, dept: Department) -> None:
        user_id, username = member(dept)
        gloves = uuid.uuid4()
        first = envelope(dept, assigned(user_id, uuid.uuid4(), "Radio"))
        second = envelope(dept, pool(PoolIssued, user_id, gloves, 2))
        for event in (first, second, second):  # the second one redelivered
            deliver(dept, event)
        (entry,) = inbox(dept, username)
        assert entry["subject"] == "2 changes to your equipment"
        assert entry["message"] == "Assigned to you: Radio.\nIssued to you: 2 x Gloves."
        (row,) = stored(dept, user_id)
        assert row.source_event_id == first.id
        assert [change["event_id"] for change in row.extra_data["changes"]] == [  # type: ignore[index]
            str(first.id),
            str(second.id),
        ]

    def test_opposite_changes_on_the_same_item_cancel_out(self, dept: Department) -> None:
        user_id, username = member(dept)
        helmet, gloves = uuid.uuid4(), uuid.uuid4()
        for data in (
            assigned(user_id, uuid.uuid4(), "Radio"),
            pool(PoolIssued, user_id, gloves, 3),
            assigned(user_id, helmet),
            pool(PoolReturned, user_id, gloves, 3),
            unassigned(user_id, helmet),
        ):
            deliver(dept, envelope(dept, data))
        (entry,) = inbox(dept, username)
        assert (entry["subject"], entry["message"]) == (
            "Assigned to you: Radio",
            "Assigned to you: Radio.",
        )

    def test_other_units_or_another_item_do_not_cancel(self, dept: Department) -> None:
        user_id, username = member(dept)
        gloves = uuid.uuid4()
        for data in (
            pool(PoolIssued, user_id, gloves, 3),
            pool(PoolReturned, user_id, gloves, 1),
            unassigned(user_id, uuid.uuid4()),
        ):
            deliver(dept, envelope(dept, data))
        (entry,) = inbox(dept, username)
        assert entry["message"].count("\n") == 2

    def test_an_entry_left_with_no_change_is_withdrawn(self, dept: Department) -> None:
        user_id, username = member(dept)
        helmet = uuid.uuid4()
        deliver(dept, envelope(dept, assigned(user_id, helmet)))
        deliver(dept, envelope(dept, unassigned(user_id, helmet)))
        assert inbox(dept, username) == []
        with dept.signed_in(username) as client:
            assert client.get(f"{INBOX}/unread-count").json() == {"unread_count": 0}
        (row,) = stored(dept, user_id)
        assert (row.read, row.expires_at is not None) == (True, True)
        # The next change starts a new entry.
        deliver(dept, envelope(dept, assigned(user_id, helmet)))
        assert [entry["subject"] for entry in inbox(dept, username)] == ["Assigned to you: Helmet"]

    def test_a_read_entry_is_left_as_it_was(self, dept: Department) -> None:
        user_id, username = member(dept)
        helmet = uuid.uuid4()
        deliver(dept, envelope(dept, assigned(user_id, helmet)))
        (first,) = inbox(dept, username)
        with dept.signed_in(username) as client:
            assert client.post(f"{INBOX}/{first['id']}/read").status_code == 200
        deliver(dept, envelope(dept, unassigned(user_id, helmet)))
        entries = inbox(dept, username)
        assert [(entry["subject"], entry["read"]) for entry in entries] == [
            ("No longer assigned to you: Helmet", False),
            ("Assigned to you: Helmet", True),
        ]

    def test_an_entry_older_than_an_hour_is_left_as_it_was(self, dept: Department) -> None:
        user_id, username = member(dept)
        helmet = uuid.uuid4()
        deliver(dept, envelope(dept, assigned(user_id, helmet)))

        async def age(session: AsyncSession) -> None:
            row = await session.scalar(
                select(NotificationLog).where(NotificationLog.recipient_id == user_id)
            )
            assert row is not None
            row.created_at = row.created_at - timedelta(minutes=61)

        dept.run(age)
        deliver(dept, envelope(dept, unassigned(user_id, helmet)))
        assert len(inbox(dept, username)) == 2

    def test_a_reassignment_tells_both_members(self, dept: Department) -> None:
        before, before_name = member(dept)
        after, after_name = member(dept)
        helmet = uuid.uuid4()
        deliver(dept, envelope(dept, assigned(before, helmet)))
        deliver(dept, envelope(dept, assigned(after, helmet, previous_user_id=before)))
        # The first holder's pending "assigned" and the reassignment cancel out.
        assert inbox(dept, before_name) == []
        assert [entry["subject"] for entry in inbox(dept, after_name)] == [
            "Assigned to you: Helmet"
        ]
        third, _ = member(dept)
        deliver(dept, envelope(dept, assigned(third, helmet, previous_user_id=after)))
        assert inbox(dept, after_name) == []


class TestNoEntry:
    def test_events_of_no_concern_make_nothing(self, dept: Department) -> None:
        user_id, username = member(dept)
        away, _ = member(dept, status=MemberStatus.SUSPENDED)
        foreign = dept.second_organization()
        stranger, _ = member(dept, foreign)
        item = uuid.uuid4()
        malformed = envelope(dept, assigned(user_id, item))
        malformed = msgspec.structs.replace(malformed, data={"item_id": str(item)})
        stale = msgspec.structs.replace(
            envelope(dept, assigned(user_id, item)),
            occurred_at=datetime.now(UTC) - timedelta(days=8),
        )
        for event in (
            envelope(dept, assigned(away, item)),
            envelope(dept, assigned(stranger, item)),  # a member of another organization
            envelope(dept, ItemCreated(item_id=item, item_name="Helmet")),
            envelope(dept, BatchCheckout(user_id=user_id, successful=1, failed=0, item_ids=[item])),
            malformed,
            stale,
        ):
            deliver(dept, event)
        for recipient in (user_id, away, stranger):
            assert stored(dept, recipient) == []
        assert inbox(dept, username) == []


class TestFromTheFlows:
    def test_the_events_the_flows_write_make_the_entries(self, dept: Department) -> None:
        user_id, username = member(dept)
        helmet = seed_item(dept, name="Helmet")
        gloves = seed_item(dept, name="Gloves", tracking_type=TrackingType.POOL, quantity=9)
        radio = seed_item(dept, name="Radio")
        with dept.signed_in(dept.admin_username) as admin:
            for path, body in (
                (f"items/{helmet}/assign", {"user_id": str(user_id)}),
                (f"items/{gloves}/issue", {"user_id": str(user_id), "quantity": 2}),
                ("checkout", {"item_id": radio, "user_id": str(user_id)}),
                (f"items/{helmet}/unassign", {}),
            ):
                response = admin.post(f"{BASE}/{path}", json=body)
                assert response.status_code in (200, 201), response.text
        deliver_written(dept)
        (entry,) = inbox(dept, username)
        assert entry["message"] == "Issued to you: 2 x Gloves.\nChecked out to you: Radio."

    def test_a_takeover_is_the_previous_holders_return(self, dept: Department) -> None:
        first, first_name = member(dept)
        second, second_name = member(dept)
        helmet, radio = seed_item(dept, name="Helmet"), seed_item(dept, name="Radio")
        with dept.signed_in(dept.admin_username) as admin:
            for item, user_id in ((radio, first), (helmet, first), (helmet, second)):
                response = admin.post(f"{ITEMS}/{item}/assign", json={"user_id": str(user_id)})
                assert response.status_code == 200, response.text
        deliver_written(dept)
        assert [entry["message"] for entry in inbox(dept, first_name)] == [
            "Assigned to you: Radio."
        ]
        assert [entry["message"] for entry in inbox(dept, second_name)] == [
            "Assigned to you: Helmet."
        ]


def deliver_written(dept: Department) -> None:
    """Deliver the organization's inventory events in the outbox, in the order written."""
    written = dept.query(
        "SELECT payload FROM outbox WHERE subject LIKE 'logbook.api.inventory.%%'"
        " ORDER BY created_at"
    )
    for row in written:
        event = decode(bytes(row["payload"]))
        if event.organization_id == org_id(dept):
            deliver(dept, event)


class TestRaces:
    """Two instances may consume one member's events at the same moment: on MariaDB, each
    delivery here has a connection and transaction of its own (the `org_own_app` fixture
    commits)."""

    @pytest.fixture(name="org")
    def racing_organization(self, org_own_app: SignedInOrganization) -> SignedInOrganization:
        """The organization on an app of its own: deliveries at the same moment need
        connections of their own, which the shared app's one rolled-back connection cannot give."""
        return org_own_app

    async def deliver_together(self, org: SignedInOrganization, events: list[Envelope]) -> None:
        (spec,) = [s for s in notification_consumers(org.settings) if s.durable == DURABLE]

        async def one(event: Envelope) -> None:
            async with org.sessions() as session, session.begin():
                await spec.handler(event, session)

        await asyncio.gather(*(one(event) for event in events))

    async def entries(self, org: SignedInOrganization, user_id: uuid.UUID) -> list[Any]:
        async with org.sessions() as session:
            rows = await session.scalars(
                select(NotificationLog).where(NotificationLog.recipient_id == user_id)
            )
            return [row.extra_data["changes"] for row in rows]  # type: ignore[index]

    def wrapped(self, org: SignedInOrganization, data: EventData) -> Envelope:
        return wrap(data, organization_id=org.organization_id, actor_id=None, request_id=None)

    async def test_changes_arriving_together_fold_into_one_entry(
        self, org: SignedInOrganization
    ) -> None:
        user, _ = await org.member()
        events = [self.wrapped(org, assigned(user.id, uuid.uuid4(), f"Item {n}")) for n in range(8)]
        await self.deliver_together(org, events)
        (changes,) = await self.entries(org, user.id)
        assert sorted(change["event_id"] for change in changes) == sorted(
            str(event.id) for event in events
        )

    async def test_crossed_reassignments_both_land(self, org: SignedInOrganization) -> None:
        first, _ = await org.member()
        second, _ = await org.member()
        events = [
            self.wrapped(org, assigned(first.id, uuid.uuid4(), previous_user_id=second.id)),
            self.wrapped(org, assigned(second.id, uuid.uuid4(), previous_user_id=first.id)),
        ]
        await self.deliver_together(org, events)
        for user in (first, second):
            (changes,) = await self.entries(org, user.id)
            assert sorted(change["action"] for change in changes) == ["assigned", "unassigned"]
