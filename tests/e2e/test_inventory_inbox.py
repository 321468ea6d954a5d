"""Equipment notices through the real processes (spec inventory.md §8): an assignment on the api
goes out through the outbox and JetStream, and the api's inventory consumer puts it in the
member's inbox."""

import time
import uuid

import httpx
import pytest

from tests.e2e.department import Department

pytestmark = pytest.mark.e2e
INBOX = "/api/v1/notifications/my"
ITEMS = "/api/v1/inventory/items"
WAIT_SECONDS = 20.0


@pytest.fixture(scope="module")
def dept(department: Department) -> Department:
    """The module's organization on the worker's shared platform (tests/e2e/conftest.py)."""
    return department


def inbox_when_unread(client: httpx.Client, count: int) -> list[dict[str, object]]:
    """The member's inbox once `count` entries are unread (the consumer works after commit)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while client.get(f"{INBOX}/unread-count").json()["unread_count"] != count:
        assert time.monotonic() < deadline, f"the unread count never reached {count}"
        time.sleep(0.1)
    return list(client.get(INBOX).json()["logs"])


def test_an_assignment_reaches_the_members_inbox(dept: Department) -> None:
    member_id, username = dept.add_member("member")
    name = f"Helmet {uuid.uuid4().hex[:6]}"
    with dept.signed_in(dept.admin_username) as admin:
        created = admin.post(ITEMS, json={"name": name})
        assert created.status_code == 201, created.text
        assigned = admin.post(f"{ITEMS}/{created.json()['id']}/assign", json={"user_id": member_id})
        assert assigned.status_code == 200, assigned.text
    with dept.signed_in(username) as member:
        (entry,) = inbox_when_unread(member, 1)
    assert (entry["category"], entry["subject"], entry["action_url"]) == (
        "inventory",
        f"Assigned to you: {name}",
        "/inventory/my-equipment",
    )
