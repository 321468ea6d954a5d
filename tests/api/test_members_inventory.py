"""Membership reading inventory (issue 12 #4, #7): a member's deletion impact counts their
inventory records, a drop answers what they still hold, and the consumer of
`member_holdings_changed` archives a dropped member once the last of it is back.

Holder records are seeded with the factories or made through the inventory routes; the
consumer's handler is fed the envelopes the returns put in the outbox, as a delivery would.
"""

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.consumers import member_consumers
from shared.events.contracts.inventory import MemberHoldingsChanged
from shared.events.envelope import Envelope, decode, wrap
from shared.models import (
    CheckoutRecord,
    InventoryItem,
    ItemAssignment,
    ItemIssuance,
    TrackingType,
)
from tests.api.department import Department
from tests.api.inventory_support import BASE, ITEMS, org_id
from tests.support import factories

USERS = "/api/v1/users"
HOLDINGS = MemberHoldingsChanged.subject
STATUS_CHANGED = "logbook.api.member.status_changed"


@pytest.fixture
def dept(department: Department) -> Department:
    return department


def item(dept: Department, organization_id: str | None = None, **fields: Any) -> InventoryItem:
    async def run(session: AsyncSession) -> InventoryItem:
        return await factories.inventory_item(session, org_id(dept, organization_id), **fields)

    return dept.run(run)


def hold(
    dept: Department, kind: factories.Holder, held: InventoryItem, user_id: str, **fields: Any
) -> None:
    """A holder record of the item for the member, written directly."""

    async def run(session: AsyncSession) -> None:
        await factories.item_holder(session, kind, held, uuid.UUID(user_id), **fields)

    dept.run(run)


def user_row(dept: Department, user_id: str) -> dict[str, Any]:
    return dept.query("SELECT * FROM users WHERE id = %s", uuid.UUID(user_id).hex)[0]


def admin_id(dept: Department) -> str:
    rows = dept.query("SELECT id FROM users WHERE username = %s", dept.admin_username)
    return str(uuid.UUID(rows[0]["id"]))


def outbox(dept: Department, subject: str, user_id: str) -> list[Envelope]:
    """The department's queued envelopes of one subject about the member, oldest first."""
    rows = dept.query("SELECT payload FROM outbox WHERE subject = %s ORDER BY created_at", subject)
    found = [decode(bytes(row["payload"])) for row in rows]
    return [
        envelope
        for envelope in found
        if str(envelope.organization_id) == dept.organization_id
        and envelope.data.get("user_id") == user_id
    ]


def archive_entries(dept: Department, user_id: str) -> list[dict[str, Any]]:
    rows = dept.query(
        "SELECT user_id, username, event_category, severity, event_data FROM audit_logs"
        " WHERE organization_id = %s AND event_type = 'member_archived' ORDER BY id",
        uuid.UUID(dept.organization_id).hex,
    )
    for row in rows:
        if isinstance(row["event_data"], str):
            row["event_data"] = json.loads(row["event_data"])
    return [row for row in rows if row["event_data"]["target_user_id"] == user_id]


def deliver(dept: Department, envelope: Envelope) -> None:
    """Run the member consumer's handler once, as a delivery does."""
    (spec,) = member_consumers(dept.api.settings)
    assert (spec.durable, spec.subject_filter) == ("api-members-inventory", HOLDINGS)

    async def run(session: AsyncSession) -> None:
        await spec.handler(envelope, session)

    dept.run(run)


def holdings_changed(
    dept: Department, user_id: str, remaining: int, organization_id: str | None = None
) -> Envelope:
    """An envelope as inventory would queue it (for counts the routes cannot produce)."""
    return wrap(
        MemberHoldingsChanged(user_id=uuid.UUID(user_id), remaining_count=remaining),
        organization_id=org_id(dept, organization_id),
        actor_id=uuid.UUID(admin_id(dept)),
        request_id="req-holdings",
    )


def set_status(dept: Department, user_id: str, status: str) -> None:
    dept.query("UPDATE users SET status = %s WHERE id = %s", status, uuid.UUID(user_id).hex)


class TestDeletionImpact:
    def test_counts_every_record_of_the_member_returned_or_not(self, dept: Department) -> None:
        user_id, _ = dept.add_member("member")
        other, _ = dept.add_member("member")
        helmet, radio, gloves = item(dept), item(dept), item(dept, tracking_type=TrackingType.POOL)
        hold(dept, ItemAssignment, helmet, user_id)
        hold(dept, ItemAssignment, radio, user_id, is_active=False)  # returned
        hold(dept, CheckoutRecord, radio, user_id, is_returned=True)  # returned
        hold(dept, ItemIssuance, gloves, user_id, quantity_issued=3)
        hold(dept, CheckoutRecord, radio, other)  # someone else's
        with dept.signed_in(dept.admin_username) as admin:
            impact = admin.get(f"{USERS}/{user_id}/deletion-impact")
            assert admin.delete(f"{USERS}/{user_id}").status_code == 204
            deleted = admin.get(f"{USERS}/{user_id}/deletion-impact")
        assert impact.status_code == 200
        body = impact.json()
        assert (body["inventory_items"], body["total_records"]) == (4, 4)
        assert (body["training_records"], body["documents"]) == (0, 0)
        # A soft-deleted member is found too, with the records still there.
        assert deleted.json()["inventory_items"] == 4

    def test_another_organizations_member_and_records_stay_out(self, dept: Department) -> None:
        elsewhere = dept.second_organization()
        user_id, _ = dept.add_member("member")
        foreign_member, _ = dept.add_member("member", organization_id=elsewhere)
        # A record of another organization's item naming this member is not this one's.
        hold(dept, CheckoutRecord, item(dept, elsewhere), user_id)
        with dept.signed_in(dept.admin_username) as admin:
            own = admin.get(f"{USERS}/{user_id}/deletion-impact")
            foreign = admin.get(f"{USERS}/{foreign_member}/deletion-impact")
        assert own.json()["inventory_items"] == 0
        assert foreign.status_code == 404


class TestHardDelete:
    def test_refused_while_the_member_holds_property(self, dept: Department) -> None:
        user_id, _ = dept.add_member("member")
        helmet = item(dept)
        hold(dept, ItemAssignment, item(dept), user_id, is_active=False)  # returned long ago
        with dept.signed_in(dept.admin_username) as admin:
            assert admin.post(f"{ITEMS}/{helmet.id}/assign", json={"user_id": user_id}).is_success
            refused = admin.delete(f"{USERS}/{user_id}", params={"hard": "true"})
            assert admin.post(f"{ITEMS}/{helmet.id}/unassign", json={}).is_success
            deleted = admin.delete(f"{USERS}/{user_id}", params={"hard": "true"})
        assert refused.status_code == 409
        assert "holds department property" in refused.json()["detail"]
        # Once it is back the member goes, with the history the deletion impact warned of.
        assert deleted.status_code == 204
        assert not dept.query("SELECT id FROM users WHERE id = %s", uuid.UUID(user_id).hex)
        assert not dept.query(
            "SELECT id FROM item_assignments WHERE user_id = %s", uuid.UUID(user_id).hex
        )


class TestPropertyReturnReport:
    def test_a_drop_reports_what_the_member_holds_and_its_value(self, dept: Department) -> None:
        user_id, _ = dept.add_member("member", first_name="Sam", last_name="Rivera")
        dept.query(
            "UPDATE organizations SET timezone = 'Pacific/Kiritimati' WHERE id = %s",
            uuid.UUID(dept.organization_id).hex,
        )
        valued = item(dept, current_value=120, purchase_price=200)  # worth what it is now
        bought = item(dept, purchase_price="80.50")  # else what it cost
        bare = item(dept)  # no value on record
        gloves = item(dept, tracking_type=TrackingType.POOL, current_value=9)
        hold(dept, ItemAssignment, valued, user_id)
        hold(dept, CheckoutRecord, bought, user_id)
        hold(dept, ItemAssignment, bare, user_id)
        hold(dept, ItemIssuance, gloves, user_id, quantity_issued=3, unit_cost_at_issuance=12)
        hold(dept, ItemIssuance, gloves, user_id, quantity_issued=2)  # at today's value
        hold(dept, ItemAssignment, item(dept, current_value=999), user_id, is_active=False)
        with dept.signed_in(dept.admin_username) as admin:
            answer = admin.patch(
                f"{USERS}/{user_id}/status",
                json={"new_status": "dropped_involuntary", "return_deadline_days": 21},
            )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert (body["new_status"], body["document_id"], body["email_sent"]) == (
            "dropped_involuntary",
            None,
            None,
        )
        # UTC+14: the department's today is often the UTC tomorrow.
        today = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
        assert body["property_return_report"] == {
            "member_name": "Sam Rivera",
            "drop_type": "Involuntary Separation",
            "item_count": 5,
            "total_value": 120 + 80.5 + 0 + 3 * 12 + 2 * 9,
            "return_deadline": (today + timedelta(days=21)).isoformat(),
        }
        assert user_row(dept, user_id)["status"] == "dropped_involuntary"

    def test_only_drops_report(self, dept: Department) -> None:
        user_id, _ = dept.add_member("member")
        hold(dept, ItemAssignment, item(dept, current_value=50), user_id)
        with dept.signed_in(dept.admin_username) as admin:
            suspended = admin.patch(f"{USERS}/{user_id}/status", json={"new_status": "suspended"})
            dropped = admin.patch(
                f"{USERS}/{user_id}/status", json={"new_status": "dropped_voluntary"}
            )
        assert suspended.json()["property_return_report"] is None
        report = dropped.json()["property_return_report"]
        assert (report["drop_type"], report["item_count"], report["total_value"]) == (
            "Voluntary Separation",
            1,
            50.0,
        )
        expected = datetime.now(UTC).date() + timedelta(days=14)  # the default deadline
        # New York's today is UTC's or the day before.
        assert report["return_deadline"] in {
            expected.isoformat(),
            (expected - timedelta(days=1)).isoformat(),
        }


class TestAutoArchive:
    def test_the_last_return_archives_a_dropped_member(self, dept: Department) -> None:
        user_id, _ = dept.add_member("member")
        helmet = item(dept)
        gloves = item(dept, tracking_type=TrackingType.POOL, quantity=5)
        with dept.signed_in(dept.admin_username) as admin:
            assert admin.post(f"{ITEMS}/{helmet.id}/assign", json={"user_id": user_id}).is_success
            issued = admin.post(
                f"{ITEMS}/{gloves.id}/issue", json={"user_id": user_id, "quantity": 2}
            )
            drop = admin.patch(
                f"{USERS}/{user_id}/status",
                json={"new_status": "dropped_voluntary", "reason": "Moved away"},
            )
            assert drop.json()["property_return_report"]["item_count"] == 2
            assert admin.post(f"{ITEMS}/{helmet.id}/unassign", json={}).is_success
            (first,) = outbox(dept, HOLDINGS, user_id)
            deliver(dept, first)
            assert user_row(dept, user_id)["status"] == "dropped_voluntary"  # gloves still out
            returned = admin.post(f"{BASE}/issuances/{issued.json()['id']}/return", json={})
            assert returned.is_success, returned.text
        _, last = outbox(dept, HOLDINGS, user_id)
        assert (first.data["remaining_count"], last.data["remaining_count"]) == (1, 0)
        deliver(dept, last)
        row = user_row(dept, user_id)
        assert (row["status"], row["status_change_reason"]) == (
            "archived",
            "All department property returned",
        )
        assert row["archived_at"] is not None
        assert row["archived_at"] == row["status_changed_at"]
        actor = admin_id(dept)
        (entry,) = archive_entries(dept, user_id)
        assert (entry["event_category"], entry["severity"]) == ("user_management", "info")
        assert str(uuid.UUID(entry["user_id"])) == actor
        assert entry["username"] == dept.admin_username
        assert entry["event_data"] == {
            "target_user_id": user_id,
            "member_name": entry["event_data"]["member_name"],
            "previous_status": "dropped_voluntary",
            "new_status": "archived",
            "reason": "All department property returned",
            "archived_by": actor,
        }
        drop_event, archive_event = outbox(dept, STATUS_CHANGED, user_id)
        assert drop_event.data["new_status"] == "dropped_voluntary"
        assert (archive_event.data["previous_status"], archive_event.data["new_status"]) == (
            "dropped_voluntary",
            "archived",
        )
        assert archive_event.data["reason"] == "All department property returned"
        assert archive_event.data["return_deadline_days"] is None
        assert str(archive_event.actor_id) == actor
        with dept.signed_in(dept.admin_username) as admin:
            listed = admin.get(f"{USERS}/archived").json()["members"]
        assert [m["user_id"] for m in listed] == [user_id]

    def test_a_redelivery_or_a_later_event_does_nothing_more(self, dept: Department) -> None:
        user_id, _ = dept.add_member("member")
        set_status(dept, user_id, "dropped_involuntary")
        envelope = holdings_changed(dept, user_id, 0)
        deliver(dept, envelope)
        archived_at = user_row(dept, user_id)["archived_at"]
        deliver(dept, envelope)
        deliver(dept, holdings_changed(dept, user_id, 0))
        assert user_row(dept, user_id)["archived_at"] == archived_at
        assert len(archive_entries(dept, user_id)) == 1
        assert len(outbox(dept, STATUS_CHANGED, user_id)) == 1

    @pytest.mark.parametrize("kind", [ItemAssignment, CheckoutRecord, ItemIssuance])
    def test_a_member_still_holding_something_stays_dropped(
        self, dept: Department, kind: factories.Holder
    ) -> None:
        user_id, _ = dept.add_member("member")
        set_status(dept, user_id, "dropped_voluntary")
        hold(dept, kind, item(dept), user_id)
        # The event's count is not trusted: the records are counted again.
        deliver(dept, holdings_changed(dept, user_id, 0))
        assert user_row(dept, user_id)["status"] == "dropped_voluntary"
        assert archive_entries(dept, user_id) == []

    def test_a_count_above_zero_is_left_to_a_later_return(self, dept: Department) -> None:
        user_id, _ = dept.add_member("member")
        set_status(dept, user_id, "dropped_voluntary")
        deliver(dept, holdings_changed(dept, user_id, 1))
        assert user_row(dept, user_id)["status"] == "dropped_voluntary"
        deliver(dept, holdings_changed(dept, user_id, 0))
        assert user_row(dept, user_id)["status"] == "archived"

    @pytest.mark.parametrize("status", ["active", "inactive", "suspended", "retired"])
    def test_only_dropped_members_are_archived(self, dept: Department, status: str) -> None:
        user_id, _ = dept.add_member("member")
        set_status(dept, user_id, status)
        deliver(dept, holdings_changed(dept, user_id, 0))
        row = user_row(dept, user_id)
        assert (row["status"], row["archived_at"]) == (status, None)
        assert archive_entries(dept, user_id) == []
        assert outbox(dept, STATUS_CHANGED, user_id) == []

    def test_another_organizations_event_leaves_the_member_alone(self, dept: Department) -> None:
        user_id, _ = dept.add_member("member")
        set_status(dept, user_id, "dropped_voluntary")
        elsewhere = dept.second_organization()
        deliver(dept, holdings_changed(dept, user_id, 0, organization_id=elsewhere))
        assert user_row(dept, user_id)["status"] == "dropped_voluntary"
        deliver(dept, holdings_changed(dept, user_id, 0))
        assert user_row(dept, user_id)["status"] == "archived"
