"""The events list of each api instance is kept in memory (api/events/calendar_view.py): a change
made through one instance reaches the list another instance answers, by the stream's events.
On one instance: tests/api/test_events_calendar_view.py."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.department import Department
from tests.e2e.stack import another_instance

pytestmark = pytest.mark.e2e
EVENTS = "/api/v1/events"
STATUSES = ("going", "maybe", "not_going")
WAIT_SECONDS = 1.0  # for one change to reach the other instance: well under its 60 s bound


@pytest.fixture(scope="module")
def dept(department: Department) -> Department:
    """The module's organization on the worker's shared platform (tests/e2e/conftest.py)."""
    return department


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _status(other: httpx.Client, event_id: str) -> Any:
    response = other.get(EVENTS)
    assert response.status_code == 200, response.text
    return next(item["user_rsvp_status"] for item in response.json() if item["id"] == event_id)


class TestAcrossInstances:
    def test_an_answer_given_through_one_instance_reaches_another_instances_list(
        self, dept: Department
    ) -> None:
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
        with (
            another_instance(dept.stack, "api") as base,
            dept.signed_in(dept.admin_username) as admin,
        ):
            created = admin.post(
                EVENTS,
                json={
                    "title": "Pump drill",
                    "event_type": "training",
                    "start_datetime": _iso(start),
                    "end_datetime": _iso(start + timedelta(hours=2)),
                    "requires_rsvp": True,
                    "rsvp_deadline": _iso(start - timedelta(hours=1)),
                },
            )
            assert created.status_code == 201, created.text
            event_id = created.json()["id"]
            # Straight to the second instance, with the bearer the gateway would have set.
            bearer = {"Authorization": f"Bearer {admin.cookies['access_token']}"}
            with httpx.Client(base_url=base, headers=bearer, timeout=20) as other:
                assert _status(other, event_id) is None  # now kept by the other instance
                # Its followers may still be subscribing: answers go on until one comes through.
                for status in STATUSES * 3:
                    answered = admin.post(f"{EVENTS}/{event_id}/rsvp", json={"status": status})
                    assert answered.status_code == 200, answered.text
                    deadline = time.monotonic() + WAIT_SECONDS
                    while time.monotonic() < deadline:
                        if _status(other, event_id) == status:
                            return
                        time.sleep(0.05)
        pytest.fail("no answer reached the other instance's list")
