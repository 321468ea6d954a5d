"""Inventory holder flows in-process (spec inventory.md §4, §6.3, §6.4): assigning and taking
back individual items, issuing and returning pool units; the rules, tenancy, database rows,
history, audit entries and outbox events. Checkouts, batches and races are in the modules
beside this one, which share the helpers here."""

import json
import uuid
from typing import Any

import pytest

from shared.models import (
    ItemCondition,
    ItemIssuance,
    ItemStatus,
    TrackingType,
)
from tests.api.department import Department
from tests.api.inventory_support import BASE, ITEMS, hold, seed_item

ISSUANCES = f"{BASE}/issuances"
ASSIGNMENT_FIELDS = {
    "id", "organization_id", "item_id", "user_id", "assignment_type", "assignment_reason",
    "expected_return_date", "assigned_date", "returned_date", "assigned_by", "returned_by",
    "return_condition", "return_notes", "is_active", "created_at", "updated_at",
}  # fmt: skip
ISSUANCE_FIELDS = {
    "id", "organization_id", "item_id", "user_id", "quantity_issued", "issued_at",
    "returned_at", "issued_by", "returned_by", "issue_reason", "return_condition",
    "return_notes", "is_returned", "unit_cost_at_issuance", "charge_status", "charge_amount",
    "created_at", "updated_at", "user_name", "item_name",
}  # fmt: skip


@pytest.fixture
def dept(department: Department) -> Department:
    return department


def hex_id(value: str) -> str:
    return uuid.UUID(value).hex


def admin_id(dept: Department) -> str:
    rows = dept.query("SELECT id FROM users WHERE username = %s", dept.admin_username)
    return str(uuid.UUID(rows[0]["id"]))


def member(dept: Department, *roles: str, **fields: Any) -> str:
    """A member of the department (no role unless given); their id."""
    user_id, _ = dept.add_member(*roles, **fields)
    return user_id


def pool_item(
    dept: Department, quantity: int, organization_id: str | None = None, **fields: Any
) -> str:
    return seed_item(
        dept, organization_id, tracking_type=TrackingType.POOL, quantity=quantity, **fields
    )


def item_row(dept: Department, item_id: str) -> dict[str, Any]:
    return dept.query("SELECT * FROM inventory_items WHERE id = %s", hex_id(item_id))[0]


def uid(value: object) -> str | None:
    """An id column's value as the API writes ids (the database may hand back another form)."""
    return None if value is None else str(uuid.UUID(str(value)))


def rows(dept: Department, table: str, item_id: str) -> list[dict[str, Any]]:
    """The holder records of the item, oldest first."""
    return dept.query(
        f"SELECT * FROM {table} WHERE item_id = %s ORDER BY created_at, id",  # noqa: S608
        hex_id(item_id),
    )


def events(dept: Department, verb: str) -> list[dict[str, Any]]:
    """The `data` of the organization's outbox events `logbook.api.inventory.<verb>`."""
    found = dept.query(
        "SELECT payload FROM outbox WHERE subject = %s ORDER BY created_at",
        f"logbook.api.inventory.{verb}",
    )
    envelopes = [json.loads(bytes(row["payload"])) for row in found]
    return [e["data"] for e in envelopes if e["organization_id"] == dept.organization_id]


def audits(dept: Department, event_type: str) -> list[dict[str, Any]]:
    """The data of the organization's inventory audit entries of this type."""
    found = dept.query(
        "SELECT event_data FROM audit_logs WHERE organization_id = %s AND event_type = %s"
        " AND event_category = 'inventory' ORDER BY id",
        hex_id(dept.organization_id),
        event_type,
    )
    return [
        json.loads(row["event_data"]) if isinstance(row["event_data"], str) else row["event_data"]
        for row in found
    ]


def history_types(dept: Department, item_id: str) -> list[str]:
    with dept.signed_in(dept.admin_username) as admin:
        answer = admin.get(f"{ITEMS}/{item_id}/history")
    assert answer.status_code == 200, answer.text
    return [event["type"] for event in answer.json()["events"]]


class TestAssign:
    def test_assigns_the_item_with_the_holder_audit_event_and_history(
        self, dept: Department
    ) -> None:
        item_id, holder = seed_item(dept), member(dept, "member")
        with dept.signed_in(dept.admin_username) as admin:
            answer = admin.post(
                f"{ITEMS}/{item_id}/assign",
                json={
                    "item_id": item_id,
                    "user_id": holder,
                    "assignment_type": "temporary",
                    "assignment_reason": "Probationary kit",
                    "expected_return_date": "2027-03-01T12:00:00",
                },
            )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert set(body) == ASSIGNMENT_FIELDS
        assert (body["item_id"], body["user_id"], body["assigned_by"]) == (
            item_id,
            holder,
            admin_id(dept),
        )
        assert (body["assignment_type"], body["is_active"], body["returned_date"]) == (
            "temporary",
            True,
            None,
        )
        assert body["expected_return_date"] == "2027-03-01T12:00:00Z"  # no offset counts as UTC
        item = item_row(dept, item_id)
        assert (item["status"], uid(item["assigned_to_user_id"])) == ("assigned", holder)
        assert item["assigned_date"] is not None
        assert audits(dept, "inventory_item_assigned")[0]["user_id"] == holder
        (event,) = events(dept, "item_assigned")
        assert (event["item_id"], event["user_id"], event["previous_user_id"]) == (
            item_id,
            holder,
            None,
        )
        assert history_types(dept, item_id) == ["assignment"]

    def test_another_member_takes_over_in_one_step(self, dept: Department) -> None:
        item_id = seed_item(dept)
        first, second = member(dept, "member"), member(dept)
        with dept.signed_in(dept.admin_username) as admin:
            answers = [
                admin.post(f"{ITEMS}/{item_id}/assign", json={"user_id": who}).status_code
                for who in (first, second)
            ]
        assert answers == [200, 200]
        old, new = rows(dept, "item_assignments", item_id)
        assert (old["is_active"], uid(old["returned_by"]), old["return_condition"]) == (
            0,
            admin_id(dept),
            None,
        )
        assert old["returned_date"] is not None
        assert old["active_item_id"] is None
        assert (new["is_active"], uid(new["user_id"])) == (1, second)
        assert uid(item_row(dept, item_id)["assigned_to_user_id"]) == second
        # The takeover is one event naming both holders (notices go to each from it).
        assert events(dept, "item_unassigned") == []
        assert events(dept, "item_assigned")[-1]["previous_user_id"] == first
        assert events(dept, "member_holdings_changed") == [{"user_id": first, "remaining_count": 0}]

    def test_refusals(self, dept: Department) -> None:
        holder, item_id = member(dept), seed_item(dept)
        pool = pool_item(dept, 3)
        broken = seed_item(dept, status=ItemStatus.IN_MAINTENANCE)
        retired = seed_item(
            dept, status=ItemStatus.RETIRED, condition=ItemCondition.RETIRED, active=False
        )
        other_org = dept.second_organization()
        stranger = member(dept, organization_id=other_org)
        foreign_item = seed_item(dept, other_org)
        inactive = member(dept, status="inactive")
        path = f"{ITEMS}/{item_id}/assign"
        with dept.signed_in(dept.admin_username) as admin:
            assert admin.post(path, json={"user_id": holder}).status_code == 200
            again = admin.post(path, json={"user_id": holder})
            to_pool = admin.post(f"{ITEMS}/{pool}/assign", json={"user_id": holder})
            to_broken = admin.post(f"{ITEMS}/{broken}/assign", json={"user_id": holder})
            to_retired = admin.post(f"{ITEMS}/{retired}/assign", json={"user_id": holder})
            mismatch = admin.post(path, json={"user_id": holder, "item_id": pool})
            nobody = [
                admin.post(f"{ITEMS}/{broken}/assign", json={"user_id": who})
                for who in (stranger, inactive, str(uuid.uuid4()))
            ]
            foreign = admin.post(f"{ITEMS}/{foreign_item}/assign", json={"user_id": holder})
            malformed = admin.post(f"{ITEMS}/not-a-uuid/assign", json={"user_id": holder})
            bad_type = admin.post(path, json={"user_id": holder, "assignment_type": "forever"})
        assert (again.status_code, again.json()["code"]) == (409, "LB-API-409")
        assert "already assigned to this member" in again.json()["detail"]
        assert to_pool.status_code == 409
        assert "/issue" in to_pool.json()["detail"]
        assert to_broken.status_code == 409
        assert "in_maintenance" in to_broken.json()["detail"]
        assert to_retired.status_code == 409
        assert mismatch.status_code == 422
        assert [(a.status_code, a.json()["detail"]) for a in nobody] == [
            (400, "Member not found")
        ] * 3
        assert [foreign.status_code, malformed.status_code, bad_type.status_code] == [404, 422, 422]
        assert len(rows(dept, "item_assignments", item_id)) == 1

    def test_viewers_may_not_assign_or_unassign(self, dept: Department) -> None:
        item_id = seed_item(dept)
        _, viewer = dept.add_member("member")
        with dept.signed_in(viewer) as client:
            assign = client.post(f"{ITEMS}/{item_id}/assign", json={"user_id": str(uuid.uuid4())})
            unassign = client.post(f"{ITEMS}/{item_id}/unassign", json={})
        assert (assign.status_code, unassign.status_code) == (403, 403)
        assert item_row(dept, item_id)["status"] == "available"


class TestUnassign:
    def test_a_damaged_return_goes_to_maintenance_with_the_record_closed(
        self, dept: Department
    ) -> None:
        item_id, holder = seed_item(dept), member(dept)
        other = seed_item(dept)
        with dept.signed_in(dept.admin_username) as admin:
            for item in (item_id, other):
                admin.post(f"{ITEMS}/{item}/assign", json={"user_id": holder})
            answer = admin.post(
                f"{ITEMS}/{item_id}/unassign",
                json={"return_condition": "damaged", "return_notes": "Torn sleeve"},
            )
            twice = admin.post(f"{ITEMS}/{item_id}/unassign", json={})
        assert (answer.status_code, answer.json()) == (200, {"message": "Item unassigned"})
        assert twice.status_code == 409
        item = item_row(dept, item_id)
        assert (item["status"], item["condition"], item["assigned_to_user_id"]) == (
            "in_maintenance",
            "damaged",
            None,
        )
        (record,) = rows(dept, "item_assignments", item_id)
        assert (record["is_active"], record["return_condition"], record["return_notes"]) == (
            0,
            "damaged",
            "Torn sleeve",
        )
        assert uid(record["returned_by"]) == admin_id(dept)
        assert audits(dept, "inventory_item_unassigned")[0]["return_condition"] == "damaged"
        assert [e["item_id"] for e in events(dept, "item_unassigned")] == [item_id]
        # The member still holds the other item.
        assert events(dept, "member_holdings_changed") == [
            {"user_id": holder, "remaining_count": 1}
        ]
        assert history_types(dept, item_id) == ["return", "assignment"]

    def test_without_a_condition_the_item_is_available_as_it_was(self, dept: Department) -> None:
        item_id, holder = seed_item(dept, condition=ItemCondition.FAIR), member(dept)
        with dept.signed_in(dept.admin_username) as admin:
            admin.post(f"{ITEMS}/{item_id}/assign", json={"user_id": holder})
            answer = admin.post(f"{ITEMS}/{item_id}/unassign", json={})
            bad = admin.post(f"{ITEMS}/{item_id}/unassign", json={"return_condition": "retired"})
            foreign = admin.post(
                f"{ITEMS}/{seed_item(dept, dept.second_organization())}/unassign", json={}
            )
        assert answer.status_code == 200
        assert (item_row(dept, item_id)["status"], item_row(dept, item_id)["condition"]) == (
            "available",
            "fair",
        )
        assert (bad.status_code, foreign.status_code) == (422, 404)


class TestIssue:
    def test_issues_units_with_a_cost_snapshot_audit_and_event(self, dept: Department) -> None:
        item_id = pool_item(dept, 5, replacement_cost=40, purchase_price=30)
        holder = member(dept, first_name="Ana", last_name="Ruiz")
        with dept.signed_in(dept.admin_username) as admin:
            answer = admin.post(
                f"{ITEMS}/{item_id}/issue",
                json={"user_id": holder, "quantity": 2, "issue_reason": "New hire"},
            )
        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert set(body) == ISSUANCE_FIELDS
        assert (body["quantity_issued"], body["is_returned"], body["charge_status"]) == (
            2,
            False,
            "none",
        )
        assert (body["unit_cost_at_issuance"], body["user_name"]) == ("40.00", "Ana Ruiz")
        assert body["issued_by"] == admin_id(dept)
        item = item_row(dept, item_id)
        assert (item["quantity"], item["quantity_issued"], item["status"]) == (3, 2, "available")
        assert audits(dept, "inventory_pool_issued")[0]["quantity"] == 2
        (event,) = events(dept, "pool_issued")
        assert (event["issuance_id"], event["quantity"], event["user_id"]) == (
            body["id"],
            2,
            holder,
        )
        assert history_types(dept, item_id) == ["issuance"]

    def test_the_unit_cost_falls_back_to_the_purchase_price(self, dept: Department) -> None:
        priced, bare = pool_item(dept, 2, purchase_price=12.5), pool_item(dept, 2)
        holder = member(dept)
        with dept.signed_in(dept.admin_username) as admin:
            costs = [
                admin.post(f"{ITEMS}/{item}/issue", json={"user_id": holder}).json()
                for item in (priced, bare)
            ]
        assert [cost["unit_cost_at_issuance"] for cost in costs] == ["12.50", None]
        assert [cost["quantity_issued"] for cost in costs] == [1, 1]

    def test_refusals(self, dept: Department) -> None:
        holder, single = member(dept), seed_item(dept)
        item_id = pool_item(dept, 3)
        retired = pool_item(
            dept, 3, active=False, status=ItemStatus.RETIRED, condition=ItemCondition.RETIRED
        )
        foreign = pool_item(dept, 3, dept.second_organization())
        path = f"{ITEMS}/{item_id}/issue"
        with dept.signed_in(dept.admin_username) as admin:
            too_many = admin.post(path, json={"user_id": holder, "quantity": 4})
            individual = admin.post(f"{ITEMS}/{single}/issue", json={"user_id": holder})
            gone = admin.post(f"{ITEMS}/{retired}/issue", json={"user_id": holder})
            nobody = admin.post(path, json={"user_id": str(uuid.uuid4())})
            zero = admin.post(path, json={"user_id": holder, "quantity": 0})
            elsewhere = admin.post(f"{ITEMS}/{foreign}/issue", json={"user_id": holder})
        assert too_many.status_code == 409
        assert too_many.json()["detail"] == "Not enough stock: 3 on hand, 4 requested"
        assert individual.status_code == 409
        assert "/assign" in individual.json()["detail"]
        assert gone.status_code == 409
        assert (nobody.status_code, nobody.json()["detail"]) == (400, "Member not found")
        assert (zero.status_code, elsewhere.status_code) == (422, 404)
        assert (item_row(dept, item_id)["quantity"], rows(dept, "item_issuances", item_id)) == (
            3,
            [],
        )


class TestPoolReturn:
    def test_a_partial_then_a_full_return_restock_and_close(self, dept: Department) -> None:
        item_id, holder = pool_item(dept, 6), member(dept)
        with dept.signed_in(dept.admin_username) as admin:
            issued = admin.post(f"{ITEMS}/{item_id}/issue", json={"user_id": holder, "quantity": 4})
            path = f"{ISSUANCES}/{issued.json()['id']}/return"
            part = admin.post(
                path,
                json={"quantity_returned": 1, "return_condition": "poor", "return_notes": "Frayed"},
            )
            too_many = admin.post(path, json={"quantity_returned": 4})
            middle = item_row(dept, item_id)
            rest = admin.post(path, json={"return_condition": "good"})
            again = admin.post(path, json={})
        assert (part.status_code, part.json()) == (200, {"message": "Returned 1 unit(s) to stock"})
        assert (middle["quantity"], middle["quantity_issued"]) == (3, 3)
        assert too_many.status_code == 409
        assert "only 3 outstanding" in too_many.json()["detail"]
        assert (rest.status_code, rest.json()["message"]) == (200, "Returned 3 unit(s) to stock")
        assert again.status_code == 409
        item = item_row(dept, item_id)
        assert (item["quantity"], item["quantity_issued"], item["condition"]) == (6, 0, "good")
        (record,) = rows(dept, "item_issuances", item_id)
        assert (record["is_returned"], record["quantity_issued"], record["return_condition"]) == (
            1,
            3,
            "good",
        )
        assert (
            record["return_notes"] == "Returned 1 unit(s) (poor): Frayed\nReturned 3 unit(s) (good)"
        )
        assert uid(record["returned_by"]) == admin_id(dept)
        assert [e["quantity"] for e in events(dept, "pool_returned")] == [1, 3]
        assert [e["remaining_count"] for e in events(dept, "member_holdings_changed")] == [1, 0]
        assert [a["quantity"] for a in audits(dept, "inventory_pool_returned")] == [1, 3]
        assert history_types(dept, item_id) == ["issuance_return", "issuance"]

    def test_an_unknown_or_foreign_issuance_is_404(self, dept: Department) -> None:
        other = dept.second_organization()
        foreign = hold(
            dept,
            ItemIssuance,
            pool_item(dept, 1, other),
            member(dept, organization_id=other),
            quantity_issued=1,
        )
        with dept.signed_in(dept.admin_username) as admin:
            answers = [
                admin.post(f"{ISSUANCES}/{issuance}/return", json={}).status_code
                for issuance in (foreign, uuid.uuid4(), "nope")
            ]
        assert answers == [404, 404, 422]


class TestIssuanceLists:
    def test_an_items_and_a_members_issuances_newest_first(self, dept: Department) -> None:
        item_id, holder, other = pool_item(dept, 9), member(dept), member(dept)
        foreign_member = member(dept, organization_id=dept.second_organization())
        with dept.signed_in(dept.admin_username) as admin:
            ids = [
                admin.post(f"{ITEMS}/{item_id}/issue", json={"user_id": who}).json()["id"]
                for who in (holder, other, holder)
            ]
            admin.post(f"{ISSUANCES}/{ids[0]}/return", json={})
            listed = admin.get(f"{ITEMS}/{item_id}/issuances").json()
            everything = admin.get(f"{ITEMS}/{item_id}/issuances?active_only=false").json()
            page = admin.get(f"{ITEMS}/{item_id}/issuances?active_only=false&skip=1&limit=1")
            mine = admin.get(f"{BASE}/users/{holder}/issuances?active_only=false").json()
            stranger = admin.get(f"{BASE}/users/{foreign_member}/issuances")
            unknown = admin.get(f"{BASE}/users/{uuid.uuid4()}/issuances")
            too_long = admin.get(f"{ITEMS}/{item_id}/issuances?limit=201")
            foreign = admin.get(
                f"{ITEMS}/{pool_item(dept, 1, dept.second_organization())}/issuances"
            )
        assert [row["id"] for row in listed] == [ids[2], ids[1]]
        assert [row["id"] for row in everything] == ids[::-1]
        assert [row["id"] for row in page.json()] == [ids[1]]
        assert [row["id"] for row in mine] == [ids[2], ids[0]]
        assert {row["item_name"] for row in mine} == {item_row(dept, item_id)["name"]}
        assert (stranger.json(), unknown.json()) == ([], [])
        assert (too_long.status_code, foreign.status_code) == (422, 404)

    def test_viewers_read_the_lists_but_may_not_issue(self, dept: Department) -> None:
        item_id = pool_item(dept, 2)
        viewer_id, viewer = dept.add_member("member")
        _, outsider = dept.add_member()
        with dept.signed_in(viewer) as client:
            listed = client.get(f"{ITEMS}/{item_id}/issuances")
            issue = client.post(f"{ITEMS}/{item_id}/issue", json={"user_id": viewer_id})
        with dept.signed_in(outsider) as client:
            hidden = client.get(f"{BASE}/users/{viewer_id}/issuances")
        assert (listed.status_code, issue.status_code, hidden.status_code) == (200, 403, 403)
