"""Codes unique in any case on both databases, and creates racing on MariaDB (spec inventory.md
§4, §5.6): real concurrent requests, each in its own committed transaction."""

import asyncio
import uuid

import pytest

from tests.api.inventory_support import ITEMS
from tests.api.signed_in import SignedInOrganization, own_app_organization  # noqa: F401
from tests.support.inprocess import InProcess

BOTH = pytest.mark.parametrize("database_kind", ["mariadb", "sqlite"])


@BOTH
@pytest.mark.parametrize("field", ["barcode", "serial_number", "asset_tag"])
async def test_a_clash_in_another_case_is_409_on_create_and_patch(
    inprocess: InProcess, field: str
) -> None:
    _, admin = await inprocess.department()
    code = f"Ab-{uuid.uuid4().hex[:8]}"
    first = await inprocess.api.post(ITEMS, headers=admin, json={"name": "One", field: code})
    clash = await inprocess.api.post(
        ITEMS, headers=admin, json={"name": "Two", field: code.upper()}
    )
    other = await inprocess.api.post(ITEMS, headers=admin, json={"name": "Three"})
    patched = await inprocess.api.patch(
        f"{ITEMS}/{other.json()['id']}", headers=admin, json={field: code.lower()}
    )
    assert first.status_code == 201, first.text
    for answer, value in ((clash, code.upper()), (patched, code.lower())):
        assert answer.status_code == 409, answer.text
        assert field in answer.json()["detail"]
        assert value in answer.json()["detail"]


@BOTH
async def test_generated_barcodes_skip_a_number_taken_in_another_case(
    inprocess: InProcess,
) -> None:
    _, admin = await inprocess.department()
    taken = await inprocess.api.post(
        ITEMS, headers=admin, json={"name": "A", "barcode": "inv-000001"}
    )
    generated = await inprocess.api.post(ITEMS, headers=admin, json={"name": "B"})
    assert taken.status_code == generated.status_code == 201
    assert generated.json()["barcode"] == "INV-000002"


# The races below run on an app of their own (`org_own_app`): requests at the same moment need
# connections of their own, which the shared app's one rolled-back connection cannot give.


async def test_concurrent_creates_of_one_barcode_give_one_item_and_409s(
    org_own_app: SignedInOrganization,
) -> None:
    api, admin = org_own_app.api, org_own_app.admin
    code = f"RACE-{uuid.uuid4().hex[:8]}"
    answers = await asyncio.gather(
        *(
            api.post(ITEMS, headers=admin, json={"name": f"Racer {n}", "barcode": code})
            for n in range(5)
        )
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201, 409, 409, 409, 409], [a.text for a in answers]
    listed = await api.get(ITEMS, headers=admin, params={"search": code})
    assert listed.json()["total"] == 1


async def test_concurrent_first_creates_share_out_distinct_generated_barcodes(
    org_own_app: SignedInOrganization,
) -> None:
    api, admin = org_own_app.api, org_own_app.admin
    answers = await asyncio.gather(
        *(api.post(ITEMS, headers=admin, json={"name": f"Auto {n}"}) for n in range(5))
    )
    assert [answer.status_code for answer in answers] == [201] * 5, [a.text for a in answers]
    barcodes = sorted(answer.json()["barcode"] for answer in answers)
    assert barcodes == [f"INV-00000{n}" for n in range(1, 6)]
