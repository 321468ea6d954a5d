"""Checkouts in-process (spec inventory.md §6.5, §5.9): lending, check-in, extension by the
borrower or a manager, the open and overdue lists with overdue worked out at read time."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.models import CheckoutRecord, ItemCondition, ItemStatus
from tests.api.department import Department
from tests.api.inventory_support import BASE, ITEMS, hold, seed_item
from tests.api.test_inventory_flows import (
    admin_id,
    audits,
    events,
    item_row,
    member,
    pool_item,
    rows,
    uid,
)

CHECKOUT = f"{BASE}/checkout"
HOUR = timedelta(hours=1)
RECORD_FIELDS = {
    "id", "organization_id", "item_id", "user_id", "checked_out_at", "expected_return_at",
    "checked_in_at", "checked_out_by", "checked_in_by", "checkout_reason", "checkout_condition",
    "return_condition", "damage_notes", "is_returned", "is_overdue", "created_at", "updated_at",
}  # fmt: skip
ROW_FIELDS = {
    "checkout_id", "item_id", "item_name", "user_id", "user_name", "checked_out_at",
    "expected_return_at", "is_overdue", "checkout_reason",
}  # fmt: skip


@pytest.fixture
def dept(department: Department) -> Department:
    return department


def iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def lend(dept: Department, item_id: str, user_id: str, **body: Any) -> dict[str, Any]:
    with dept.signed_in(dept.admin_username) as admin:
        answer = admin.post(CHECKOUT, json={"item_id": item_id, "user_id": user_id, **body})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def past_due(dept: Department, user_id: str, hours: int) -> str:
    """An open checkout written directly, due `hours` ago (its stored flag left false)."""
    item_id = seed_item(dept, status=ItemStatus.CHECKED_OUT)
    due = datetime.now(UTC) - timedelta(hours=hours)
    return hold(dept, CheckoutRecord, item_id, user_id, expected_return_at=due)


class TestCheckOut:
    def test_lends_the_item_with_its_condition_audit_and_event(self, dept: Department) -> None:
        item_id = seed_item(dept, condition=ItemCondition.FAIR)
        borrower = member(dept)
        record = lend(
            dept,
            item_id,
            borrower,
            expected_return_at=iso(timedelta(days=3)),
            checkout_reason="Hose test",
        )
        assert set(record) == RECORD_FIELDS
        assert (record["checkout_condition"], record["is_returned"], record["is_overdue"]) == (
            "fair",
            False,
            False,
        )
        assert (record["checked_out_by"], record["checkout_reason"]) == (
            admin_id(dept),
            "Hose test",
        )
        assert record["expected_return_at"].endswith("Z")
        assert item_row(dept, item_id)["status"] == "checked_out"
        assert audits(dept, "inventory_item_checked_out")[0]["checkout_id"] == record["id"]
        (event,) = events(dept, "item_checked_out")
        assert (event["checkout_id"], event["user_id"]) == (record["id"], borrower)
        assert event["expected_return_at"] is not None

    def test_refusals(self, dept: Department) -> None:
        borrower, item_id = member(dept), seed_item(dept)
        held = seed_item(dept)
        pool = pool_item(dept, 4)
        foreign = seed_item(dept, dept.second_organization())
        _, viewer = dept.add_member("member")

        def body(item: str, **extra: Any) -> dict[str, Any]:
            return {"item_id": item, "user_id": borrower, **extra}

        with dept.signed_in(dept.admin_username) as admin:
            admin.post(f"{ITEMS}/{held}/assign", json={"user_id": borrower})
            answers = {
                "pool": admin.post(CHECKOUT, json=body(pool)),
                "assigned": admin.post(CHECKOUT, json=body(held)),
                "past": admin.post(CHECKOUT, json=body(item_id, expected_return_at=iso(-HOUR))),
                # Beyond what the database's DATETIME holds: the shared rule's bound.
                "far": admin.post(
                    CHECKOUT, json=body(item_id, expected_return_at="2300-01-01T00:00:00Z")
                ),
                "foreign": admin.post(CHECKOUT, json=body(foreign)),
                "unknown": admin.post(CHECKOUT, json=body(str(uuid.uuid4()))),
                "nobody": admin.post(
                    CHECKOUT, json={**body(item_id), "user_id": str(uuid.uuid4())}
                ),
                "no member": admin.post(CHECKOUT, json={"item_id": item_id}),
            }
            twice = [admin.post(CHECKOUT, json=body(item_id)).status_code for _ in range(2)]
        with dept.signed_in(viewer) as client:
            denied = client.post(CHECKOUT, json=body(seed_item(dept)))
        statuses = {name: answer.status_code for name, answer in answers.items()}
        assert statuses == {
            "pool": 409,
            "assigned": 409,
            "past": 422,
            "far": 422,
            "foreign": 404,
            "unknown": 404,
            "nobody": 400,
            "no member": 422,
        }
        assert "/issue" in answers["pool"].json()["detail"]
        assert "status: assigned" in answers["assigned"].json()["detail"]
        assert answers["nobody"].json()["detail"] == "Member not found"
        assert "expected_return_at" in answers["far"].text
        assert twice == [201, 409]
        assert denied.status_code == 403
        assert len(rows(dept, "checkout_records", item_id)) == 1


class TestCheckIn:
    def test_closes_the_record_and_the_item_takes_the_condition(self, dept: Department) -> None:
        item_id, borrower = seed_item(dept), member(dept)
        record = lend(dept, item_id, borrower)
        with dept.signed_in(dept.admin_username) as admin:
            path = f"{CHECKOUT}/{record['id']}/checkin"
            answer = admin.post(path, json={"return_condition": "poor", "damage_notes": "Dented"})
            again = admin.post(path, json={"return_condition": "good"})
        assert (answer.status_code, answer.json()) == (200, {"message": "Item checked in"})
        assert again.status_code == 409
        item = item_row(dept, item_id)
        assert (item["status"], item["condition"]) == ("in_maintenance", "poor")
        (row,) = rows(dept, "checkout_records", item_id)
        assert (row["is_returned"], row["return_condition"], row["damage_notes"]) == (
            1,
            "poor",
            "Dented",
        )
        assert (uid(row["checked_in_by"]), row["open_item_id"], row["is_overdue"]) == (
            admin_id(dept),
            None,
            0,
        )
        assert row["checked_in_at"] is not None
        assert audits(dept, "inventory_item_checked_in")[0]["return_condition"] == "poor"
        assert [e["return_condition"] for e in events(dept, "item_checked_in")] == ["poor"]
        assert events(dept, "member_holdings_changed") == [
            {"user_id": borrower, "remaining_count": 0}
        ]

    def test_a_good_return_makes_the_item_available_again(self, dept: Department) -> None:
        item_id = seed_item(dept)
        record = lend(dept, item_id, member(dept))
        with dept.signed_in(dept.admin_username) as admin:
            admin.post(f"{CHECKOUT}/{record['id']}/checkin", json={"return_condition": "excellent"})
            lent_again = admin.post(CHECKOUT, json={"item_id": item_id, "user_id": member(dept)})
        assert item_row(dept, item_id)["condition"] == "excellent"
        assert lent_again.status_code == 201

    def test_bad_bodies_foreign_records_and_viewers(self, dept: Department) -> None:
        other = dept.second_organization()
        foreign = hold(
            dept,
            CheckoutRecord,
            seed_item(dept, other),
            member(dept, organization_id=other),
        )
        record = lend(dept, seed_item(dept), member(dept))
        path = f"{CHECKOUT}/{record['id']}/checkin"
        _, viewer = dept.add_member("member")
        with dept.signed_in(dept.admin_username) as admin:
            answers = [
                admin.post(path, json={}).status_code,
                admin.post(path, json={"return_condition": "retired"}).status_code,
                admin.post(f"{CHECKOUT}/{foreign}/checkin", json={"return_condition": "good"}),
                admin.post(f"{CHECKOUT}/{uuid.uuid4()}/checkin", json={"return_condition": "good"}),
            ]
        with dept.signed_in(viewer) as client:
            denied = client.post(path, json={"return_condition": "good"})
        assert answers[:2] == [422, 422]
        assert [answers[2].status_code, answers[3].status_code] == [404, 404]
        assert denied.status_code == 403


class TestExtend:
    def test_the_borrower_or_a_manager_extends_and_others_may_not(self, dept: Department) -> None:
        borrower_id, borrower = dept.add_member("member")
        _, neighbour = dept.add_member("member")
        record = lend(dept, seed_item(dept), borrower_id, expected_return_at=iso(HOUR))
        path = f"{CHECKOUT}/{record['id']}/extend"
        with dept.signed_in(borrower) as client:
            own = client.patch(path, json={"expected_return_at": "2099-01-01T00:00:00Z"})
        with dept.signed_in(neighbour) as client:
            other = client.patch(path, json={"expected_return_at": iso(timedelta(days=5))})
        later = iso(timedelta(days=10))
        with dept.signed_in(dept.admin_username) as admin:
            managed = admin.patch(path, json={"expected_return_at": later})
        assert own.status_code == 422  # more than a year ahead
        assert other.status_code == 403
        assert managed.status_code == 200, managed.text
        body = managed.json()
        assert body["message"] == "Checkout extended"
        assert body["expected_return_at"].endswith("Z")
        due = datetime.fromisoformat(body["expected_return_at"])
        assert abs(due - datetime.fromisoformat(later)) < timedelta(seconds=1)
        (row,) = dept.query(
            "SELECT expected_return_at FROM checkout_records WHERE id = %s",
            uuid.UUID(record["id"]).hex,
        )
        assert abs(row["expected_return_at"].replace(tzinfo=UTC) - due) < timedelta(seconds=1)
        assert audits(dept, "inventory_checkout_extended")[0]["checkout_id"] == record["id"]
        assert [e["checkout_id"] for e in events(dept, "checkout_extended")] == [record["id"]]

    def test_the_borrower_alone_may_extend_their_own(self, dept: Department) -> None:
        # A member with no inventory permission at all.
        borrower_id, borrower = dept.add_member()
        record = lend(dept, seed_item(dept), borrower_id)
        with dept.signed_in(borrower) as client:
            answer = client.patch(
                f"{CHECKOUT}/{record['id']}/extend",
                json={"expected_return_at": iso(timedelta(days=2))},
            )
        assert answer.status_code == 200, answer.text

    def test_past_returned_unknown_and_foreign(self, dept: Department) -> None:
        record = lend(dept, seed_item(dept), member(dept))
        path = f"{CHECKOUT}/{record['id']}/extend"
        other = dept.second_organization()
        foreign = hold(
            dept, CheckoutRecord, seed_item(dept, other), member(dept, organization_id=other)
        )
        soon = {"expected_return_at": iso(timedelta(days=1))}
        with dept.signed_in(dept.admin_username) as admin:
            past = admin.patch(path, json={"expected_return_at": iso(-HOUR)})
            missing = admin.patch(path, json={})
            admin.post(f"{CHECKOUT}/{record['id']}/checkin", json={"return_condition": "good"})
            returned = admin.patch(path, json=soon)
            unknown = admin.patch(f"{CHECKOUT}/{uuid.uuid4()}/extend", json=soon)
            elsewhere = admin.patch(f"{CHECKOUT}/{foreign}/extend", json=soon)
        assert [past.status_code, missing.status_code] == [422, 422]
        assert returned.status_code == 409
        assert [unknown.status_code, elsewhere.status_code] == [404, 404]


class TestLists:
    def test_open_checkouts_newest_first_with_the_true_total(self, dept: Department) -> None:
        first = member(dept, first_name="Lee", last_name="Park")
        second = member(dept)
        records = [lend(dept, seed_item(dept), who) for who in (first, second, first)]
        with dept.signed_in(dept.admin_username) as admin:
            admin.post(f"{CHECKOUT}/{records[1]['id']}/checkin", json={"return_condition": "good"})
            everyone = admin.get(f"{CHECKOUT}/active").json()
            page = admin.get(f"{CHECKOUT}/active?skip=1&limit=1").json()
            mine = admin.get(f"{CHECKOUT}/active?user_id={first}").json()
            too_long = admin.get(f"{CHECKOUT}/active?limit=201")
        assert [row["checkout_id"] for row in everyone["checkouts"]] == [
            records[2]["id"],
            records[0]["id"],
        ]
        assert (everyone["total"], everyone["skip"], everyone["limit"]) == (2, 0, 50)
        assert set(everyone["checkouts"][0]) == ROW_FIELDS
        assert everyone["checkouts"][0]["user_name"] == "Lee Park"
        assert (page["total"], len(page["checkouts"])) == (2, 1)
        assert page["checkouts"][0]["checkout_id"] == records[0]["id"]
        assert mine["total"] == 2
        assert too_long.status_code == 422

    def test_overdue_is_worked_out_now_longest_overdue_first(self, dept: Department) -> None:
        borrower = member(dept)
        recent, oldest = past_due(dept, borrower, 1), past_due(dept, borrower, 30)
        lend(dept, seed_item(dept), borrower, expected_return_at=iso(timedelta(days=1)))
        lend(dept, seed_item(dept), borrower)  # no due time: never overdue
        with dept.signed_in(dept.admin_username) as admin:
            overdue = admin.get(f"{CHECKOUT}/overdue").json()
            active = admin.get(f"{CHECKOUT}/active").json()
        assert [row["checkout_id"] for row in overdue["checkouts"]] == [oldest, recent]
        assert overdue["total"] == 2
        assert all(row["is_overdue"] for row in overdue["checkouts"])
        flags = {row["checkout_id"]: row["is_overdue"] for row in active["checkouts"]}
        assert (active["total"], sum(flags.values())) == (4, 2)
        assert flags[oldest] is True

    def test_the_lists_need_view(self, dept: Department) -> None:
        _, viewer = dept.add_member("member")
        _, outsider = dept.add_member()
        with dept.signed_in(viewer) as client:
            seen = [client.get(f"{CHECKOUT}/{name}").status_code for name in ("active", "overdue")]
        with dept.signed_in(outsider) as client:
            hidden = [
                client.get(f"{CHECKOUT}/{name}").status_code for name in ("active", "overdue")
            ]
        assert (seen, hidden) == ([200, 200], [403, 403])
