"""The desk's batches in-process (spec inventory.md §6.6 #24, #25): entries resolved by id or
exact code, each succeeding or failing on its own, one audit entry and one batch event."""

import uuid
from typing import Any

import pytest

from shared.models import CheckoutRecord, ItemAssignment, ItemIssuance, ItemStatus
from tests.api.department import Department
from tests.api.inventory_support import BASE, ITEMS, hold, seed_item
from tests.api.test_inventory_flows import (
    audits,
    events,
    item_row,
    member,
    pool_item,
    rows,
    uid,
)

BATCH_CHECKOUT = f"{BASE}/batch-checkout"
BATCH_RETURN = f"{BASE}/batch-return"


@pytest.fixture
def dept(department: Department) -> Department:
    return department


def batch(dept: Department, path: str, user_id: str, *entries: dict[str, Any], **extra: Any) -> Any:
    with dept.signed_in(dept.admin_username) as admin:
        answer = admin.post(path, json={"user_id": user_id, "items": list(entries), **extra})
    assert answer.status_code == 200, answer.text
    return answer.json()


def outcome(body: dict[str, Any]) -> list[tuple[str, bool]]:
    return [(result["action"], result["success"]) for result in body["results"]]


class TestBatchCheckout:
    def test_issues_pool_items_assigns_the_rest_and_reports_each_entry(
        self, dept: Department
    ) -> None:
        holder = member(dept)
        gloves = pool_item(dept, 10, barcode="GLV-0001")
        radio = seed_item(dept, serial_number="SN-RADIO-7")
        helmet = seed_item(dept)
        body = batch(
            dept,
            BATCH_CHECKOUT,
            holder,
            {"code": "glv-0001", "quantity": 3},  # exact code in any case
            {"code": " sn-radio-7 "},
            {"code": "whatever", "item_id": helmet},
            {"code": "NO-SUCH-CODE"},
            reason="Academy class 12",
        )
        assert (body["user_id"], body["total_scanned"], body["successful"], body["failed"]) == (
            holder,
            4,
            3,
            1,
        )
        assert outcome(body) == [
            ("issued", True),
            ("assigned", True),
            ("assigned", True),
            ("none", False),
        ]
        unknown = body["results"][3]
        assert (unknown["item_name"], unknown["item_id"], unknown["error"]) == (
            "Unknown",
            "",
            "Item not found",
        )
        assert body["results"][1]["item_id"] == radio
        assert body["results"][0]["error"] is None
        assert (item_row(dept, gloves)["quantity"], item_row(dept, gloves)["quantity_issued"]) == (
            7,
            3,
        )
        for item_id in (radio, helmet):
            item = item_row(dept, item_id)
            assert (item["status"], uid(item["assigned_to_user_id"])) == ("assigned", holder)
            (assignment,) = rows(dept, "item_assignments", item_id)
            assert (assignment["assignment_type"], assignment["assignment_reason"]) == (
                "permanent",
                "Academy class 12",
            )
        (audit,) = audits(dept, "inventory_batch_checkout")
        assert (audit["successful"], audit["failed"], audit["total_scanned"]) == (3, 1, 4)
        assert audits(dept, "inventory_item_assigned") == []  # one entry for the batch
        assert len(events(dept, "item_assigned")) == 2
        assert [e["quantity"] for e in events(dept, "pool_issued")] == [3]
        (event,) = events(dept, "batch_checkout")
        assert (event["successful"], event["failed"]) == (3, 1)
        assert set(event["item_ids"]) == {gloves, radio, helmet}

    def test_held_repeated_short_and_unavailable_entries_fail_alone(self, dept: Department) -> None:
        holder, other = member(dept), member(dept)
        mine = seed_item(dept, barcode="KIT-1")
        theirs = seed_item(dept, barcode="KIT-2")
        broken = seed_item(dept, barcode="KIT-3", status=ItemStatus.IN_MAINTENANCE)
        retired = seed_item(dept, barcode="KIT-4", active=False)
        pool = pool_item(dept, 2, barcode="KIT-5")
        with dept.signed_in(dept.admin_username) as admin:
            admin.post(f"{ITEMS}/{theirs}/assign", json={"user_id": other})
        body = batch(
            dept,
            BATCH_CHECKOUT,
            holder,
            {"code": "KIT-1"},
            {"code": "KIT-2"},
            {"code": "kit-1"},
            {"code": "KIT-3"},
            {"code": "KIT-4"},
            {"code": "KIT-5", "quantity": 3},
            {"code": "KIT-5", "quantity": 2},
        )
        assert outcome(body) == [
            ("assigned", True),
            ("none", False),
            ("none", False),
            ("none", False),
            ("none", False),
            ("none", False),
            ("issued", True),
        ]
        errors = [result["error"] for result in body["results"]]
        assert "already held" in errors[1]
        assert "more than once" in errors[2]
        assert "in_maintenance" in errors[3]
        assert errors[4] == "Item not found"  # retired items are not scanned
        assert errors[5] == "Not enough stock: 2 on hand, 3 requested"
        # Not taken from its holder (§10 D3), and the earlier success stands.
        assert uid(item_row(dept, theirs)["assigned_to_user_id"]) == other
        assert uid(item_row(dept, mine)["assigned_to_user_id"]) == holder
        assert (item_row(dept, broken)["status"], item_row(dept, retired)["status"]) == (
            "in_maintenance",
            "available",
        )
        assert item_row(dept, pool)["quantity"] == 0
        assert len(rows(dept, "item_issuances", pool)) == 1

    def test_a_clash_with_a_stray_holder_fails_its_entry_and_the_batch_goes_on(
        self, dept: Department
    ) -> None:
        holder, other = member(dept), member(dept)
        stray = seed_item(dept, barcode="ODD-1")  # available, yet an assignment is active
        hold(dept, ItemAssignment, stray, other)
        after = seed_item(dept, barcode="ODD-2")
        body = batch(dept, BATCH_CHECKOUT, holder, {"code": "ODD-1"}, {"code": "ODD-2"})
        assert outcome(body) == [("none", False), ("assigned", True)]
        assert body["results"][0]["error"] == "Item is already held by another member"
        assert [uid(row["user_id"]) for row in rows(dept, "item_assignments", stray)] == [other]
        assert item_row(dept, stray)["status"] == "available"
        assert uid(item_row(dept, after)["assigned_to_user_id"]) == holder

    def test_the_member_is_checked_first_and_an_all_failed_batch_records_nothing(
        self, dept: Department
    ) -> None:
        item_id = seed_item(dept, barcode="SOLO-1")
        stranger = member(dept, organization_id=dept.second_organization())
        with dept.signed_in(dept.admin_username) as admin:
            answers = [
                admin.post(BATCH_CHECKOUT, json={"user_id": who, "items": [{"code": "SOLO-1"}]})
                for who in (stranger, str(uuid.uuid4()))
            ]
            empty = admin.post(BATCH_CHECKOUT, json={"user_id": member(dept), "items": []})
            blank = admin.post(BATCH_CHECKOUT, json={"user_id": member(dept), "items": [{}]})
        assert [(a.status_code, a.json()["detail"]) for a in answers] == [
            (400, "Member not found")
        ] * 2
        assert (empty.status_code, blank.status_code) == (422, 422)
        body = batch(dept, BATCH_CHECKOUT, member(dept), {"code": "NOPE"})
        assert (body["successful"], body["failed"]) == (0, 1)
        assert item_row(dept, item_id)["status"] == "available"
        assert audits(dept, "inventory_batch_checkout") == []
        assert events(dept, "batch_checkout") == []

    def test_another_organizations_items_are_not_found_by_id_or_code(
        self, dept: Department
    ) -> None:
        holder = member(dept)
        foreign = seed_item(dept, dept.second_organization(), barcode="SHARED-1")
        body = batch(
            dept,
            BATCH_CHECKOUT,
            holder,
            {"code": "SHARED-1"},
            {"code": "anything", "item_id": foreign},
        )
        assert outcome(body) == [("none", False), ("none", False)]
        assert {r["error"] for r in body["results"]} == {"Item not found"}
        assert item_row(dept, foreign)["status"] == "available"
        ours = seed_item(dept, barcode="SHARED-1")  # codes are unique per organization only
        body = batch(dept, BATCH_CHECKOUT, holder, {"code": "shared-1"})
        assert body["results"][0]["item_id"] == ours

    def test_viewers_may_not_run_batches(self, dept: Department) -> None:
        viewer_id, viewer = dept.add_member("member")
        item_id = seed_item(dept, barcode="VIEW-1")
        with dept.signed_in(viewer) as client:
            answers = [
                client.post(path, json={"user_id": viewer_id, "items": [{"code": "VIEW-1"}]})
                for path in (BATCH_CHECKOUT, BATCH_RETURN)
            ]
        assert [answer.status_code for answer in answers] == [403, 403]
        assert item_row(dept, item_id)["status"] == "available"


class TestBatchReturn:
    def test_each_item_goes_back_the_way_the_member_holds_it(self, dept: Department) -> None:
        holder, other = member(dept), member(dept)
        assigned = seed_item(dept, barcode="RET-1")
        lent = seed_item(dept, barcode="RET-2")
        pool = pool_item(dept, 10, barcode="RET-3")
        not_mine = seed_item(dept, barcode="RET-4")
        idle = seed_item(dept, barcode="RET-5")
        with dept.signed_in(dept.admin_username) as admin:
            admin.post(f"{ITEMS}/{assigned}/assign", json={"user_id": holder})
            admin.post(f"{BASE}/checkout", json={"item_id": lent, "user_id": holder})
            admin.post(f"{ITEMS}/{not_mine}/assign", json={"user_id": other})
            for quantity in (2, 3):  # the newest issuance gives units back first
                admin.post(f"{ITEMS}/{pool}/issue", json={"user_id": holder, "quantity": quantity})
        body = batch(
            dept,
            BATCH_RETURN,
            holder,
            {"code": "RET-1", "return_condition": "damaged"},
            {"code": "RET-2", "damage_notes": "Scratched lens"},
            {"code": "RET-3", "quantity": 2},
            {"code": "RET-4"},
            {"code": "RET-5"},
            notes="End of season",
        )
        assert outcome(body) == [
            ("unassigned", True),
            ("checked_in", True),
            ("returned_to_pool", True),
            ("none", False),
            ("none", False),
        ]
        assert {body["results"][3]["error"], body["results"][4]["error"]} == {
            "Item is not held by this member"
        }
        item = item_row(dept, assigned)
        assert (item["status"], item["condition"], item["assigned_to_user_id"]) == (
            "in_maintenance",
            "damaged",
            None,
        )
        (assignment,) = rows(dept, "item_assignments", assigned)
        assert assignment["return_notes"] == "End of season"
        (checkout,) = rows(dept, "checkout_records", lent)
        assert (checkout["is_returned"], checkout["damage_notes"]) == (1, "Scratched lens")
        assert item_row(dept, lent)["status"] == "available"
        older, newer = rows(dept, "item_issuances", pool)
        assert (older["quantity_issued"], newer["quantity_issued"]) == (2, 1)
        assert (item_row(dept, pool)["quantity"], item_row(dept, pool)["quantity_issued"]) == (7, 3)
        assert uid(item_row(dept, not_mine)["assigned_to_user_id"]) == other
        assert item_row(dept, idle)["status"] == "available"
        (audit,) = audits(dept, "inventory_batch_return")
        assert (audit["successful"], audit["failed"]) == (3, 2)
        assert [len(events(dept, verb)) for verb in ("item_unassigned", "item_checked_in")] == [
            1,
            1,
        ]
        assert [e["quantity"] for e in events(dept, "pool_returned")] == [2]
        assert events(dept, "batch_return")[0]["successful"] == 3
        # Two issuances are still open: what the membership consumer is told.
        assert events(dept, "member_holdings_changed") == [
            {"user_id": holder, "remaining_count": 2}
        ]

    def test_more_units_than_the_newest_issuance_fails_that_entry_alone(
        self, dept: Department
    ) -> None:
        holder = member(dept)
        pool = pool_item(dept, 5, barcode="CUP-1")
        hold(dept, ItemIssuance, pool, holder, quantity_issued=1)
        lent = seed_item(dept, barcode="CUP-2", status=ItemStatus.CHECKED_OUT)
        hold(dept, CheckoutRecord, lent, holder)
        with dept.signed_in(dept.admin_username) as admin:
            refused = admin.post(
                BATCH_RETURN,
                json={"user_id": holder, "items": [{"code": "CUP-2", "return_condition": "lost"}]},
            )
        body = batch(
            dept, BATCH_RETURN, holder, {"code": "CUP-1", "quantity": 2}, {"code": "cup-2"}
        )
        assert refused.status_code == 422
        assert outcome(body) == [("none", False), ("checked_in", True)]
        assert body["results"][0]["error"] == "Cannot return 2 unit(s): only 1 outstanding"
        (issuance,) = rows(dept, "item_issuances", pool)
        assert (issuance["is_returned"], issuance["quantity_issued"]) == (0, 1)
        assert item_row(dept, pool)["quantity"] == 5
        assert item_row(dept, lent)["status"] == "available"
        assert events(dept, "pool_returned") == []

    def test_the_member_is_checked_first(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            answer = admin.post(
                BATCH_RETURN, json={"user_id": str(uuid.uuid4()), "items": [{"code": "X"}]}
            )
        assert (answer.status_code, answer.json()["detail"]) == (400, "Member not found")
