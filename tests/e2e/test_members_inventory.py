"""The auto-archive through the real processes (spec members §2.5, inventory.md §8): the last
return of a dropped member's equipment goes out through the outbox and JetStream, and the api's
member consumer archives them."""

import time
import uuid

import httpx
import pytest

from tests.e2e.department import Department

pytestmark = pytest.mark.e2e
USERS = "/api/v1/users"
ITEMS = "/api/v1/inventory/items"
WAIT_SECONDS = 20.0


@pytest.fixture(scope="module")
def dept(department: Department) -> Department:
    """The module's organization on the worker's shared platform (tests/e2e/conftest.py)."""
    return department


def archived_when_listed(client: httpx.Client, user_id: str) -> dict[str, object]:
    """The member's row of the archived list, once there (the consumer works after commit)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        listed = client.get(f"{USERS}/archived").json()["members"]
        found = [member for member in listed if member["user_id"] == user_id]
        if found:
            return dict(found[0])
        assert time.monotonic() < deadline, "the member was never archived"
        time.sleep(0.1)


def test_the_last_return_archives_a_dropped_member(dept: Department) -> None:
    member_id, _ = dept.add_member("member")
    with dept.signed_in(dept.admin_username) as admin:
        created = admin.post(ITEMS, json={"name": f"Helmet {uuid.uuid4().hex[:6]}"})
        assert created.status_code == 201, created.text
        item = f"{ITEMS}/{created.json()['id']}"
        assert admin.post(f"{item}/assign", json={"user_id": member_id}).status_code == 200
        dropped = admin.patch(
            f"{USERS}/{member_id}/status", json={"new_status": "dropped_voluntary"}
        )
        assert dropped.json()["property_return_report"]["item_count"] == 1
        assert admin.post(f"{item}/unassign", json={}).status_code == 200
        archived = archived_when_listed(admin, member_id)
    assert archived["status_change_reason"] == "All department property returned"
