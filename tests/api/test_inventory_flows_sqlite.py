"""The holder flows on the embedded SQLite database too (`make run`'s default), where locking
reads are plain reads and the conditional updates alone decide: one walk through every flow."""

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from shared.models import InventoryItem, TrackingType
from tests.support import factories
from tests.support.inprocess import InProcess

BASE = "/api/v1/inventory"
pytestmark = pytest.mark.parametrize("database_kind", ["sqlite"])


async def test_assign_issue_checkout_and_the_batches_round_trip(inprocess: InProcess) -> None:
    organization_id, admin = await inprocess.department()
    async with inprocess.seed() as session:
        holder = str((await factories.member(session, organization_id, ["member"])).id)
        fields: list[dict[str, Any]] = [
            {"barcode": "SQ-1"},
            {},
            {"tracking_type": TrackingType.POOL, "quantity": 4, "barcode": "SQ-3"},
        ]
        single, loaned, pool = [
            str((await factories.inventory_item(session, organization_id, **one)).id)
            for one in fields
        ]

    async def post(path: str, body: dict[str, Any]) -> Any:
        answer = await inprocess.api.post(f"{BASE}{path}", headers=admin, json=body)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    await post(f"/items/{single}/assign", {"user_id": holder})
    await post(f"/items/{single}/unassign", {"return_condition": "good"})
    issued = await post(f"/items/{pool}/issue", {"user_id": holder, "quantity": 3})
    await post(f"/issuances/{issued['id']}/return", {"quantity_returned": 1})
    record = await post("/checkout", {"item_id": loaned, "user_id": holder})
    checked_in = await inprocess.api.post(
        f"{BASE}/checkout/{record['id']}/checkin", headers=admin, json={"return_condition": "fair"}
    )
    again = await inprocess.api.post(
        f"{BASE}/checkout/{record['id']}/checkin", headers=admin, json={"return_condition": "fair"}
    )
    handed = await post(
        "/batch-checkout", {"user_id": holder, "items": [{"code": "sq-1"}, {"code": "SQ-3"}]}
    )
    back = await post(
        "/batch-return",
        {"user_id": holder, "items": [{"code": "SQ-1"}, {"code": "SQ-3", "quantity": 3}]},
    )
    unknown = await inprocess.api.post(
        f"{BASE}/batch-return",
        headers=admin,
        json={"user_id": str(uuid.uuid4()), "items": [{"code": "SQ-1"}]},
    )

    assert (checked_in.status_code, again.status_code) == (200, 409)
    assert [r["action"] for r in handed["results"]] == ["assigned", "issued"]
    assert [(r["action"], r["success"]) for r in back["results"]] == [
        ("unassigned", True),
        ("none", False),  # the newest issuance holds one unit, not three
    ]
    assert unknown.status_code == 400
    async with inprocess.sessions() as session:
        counters = await session.execute(
            select(InventoryItem.quantity, InventoryItem.quantity_issued).where(
                InventoryItem.id == uuid.UUID(pool)
            )
        )
        assert tuple(counters.one()) == (1, 3)


async def test_the_list_and_the_scan_read_the_same_items_as_the_detail(
    inprocess: InProcess,
) -> None:
    organization_id, admin = await inprocess.department()
    async with inprocess.seed() as session:
        category = await factories.inventory_category(session, organization_id, name="Radios")
        item = await factories.inventory_item(
            session, organization_id, category_id=category.id, barcode="SQ-RADIO-1"
        )
    path = f"{BASE}/items/{item.id}"
    detail = (await inprocess.api.get(path, headers=admin)).json()
    listed = (await inprocess.api.get(f"{BASE}/items", headers=admin)).json()["items"]
    scanned = (await inprocess.api.get(f"{BASE}/lookup?code=radio-1", headers=admin)).json()
    assert detail["category_name"] == "Radios"
    assert listed == [detail]
    assert [(hit["item"], hit["matched_field"]) for hit in scanned["results"]] == [
        (detail, "barcode")
    ]
