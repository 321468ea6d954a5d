"""Locations through the gateway (spec §2.10, §3.5, §4 #20): names unique per building, secret
display codes, paging, permissions, tenancy, audit and events."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.api.audit_support import audit_entry, outbox_events
from tests.api.locations_support import CODE, LIST_FIELDS, LOCATIONS, location_row, unique
from tests.e2e.department import Department

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def dept(department: Department) -> Department:
    """The module's organization on the worker's shared platform."""
    return department


class TestCreate:
    def test_creates_with_a_display_code_and_the_creator(self, dept: Department) -> None:
        name = unique("Station 9 Apparatus Bay")
        with dept.signed_in(dept.admin_username) as admin:
            me = admin.get("/api/v1/auth/me").json()
            response = admin.post(
                LOCATIONS,
                json={
                    "name": name,
                    "building": "Station 9",
                    "capacity": 40,
                    "latitude": "39.78",
                    "longitude": "-89.65",
                },
            )
        assert response.status_code == 201, response.text
        body = response.json()
        assert set(body) == LIST_FIELDS | {"latitude", "longitude"}
        assert CODE.match(body["display_code"])
        assert (body["name"], body["capacity"], body["is_active"]) == (name, 40, True)
        assert body["created_by"] == me["id"]
        assert body["organization_id"] == dept.organization_id
        row = location_row(dept, body["id"])
        assert row is not None
        assert (row["name_key"], row["building_key"]) == (name.lower(), "station 9")
        audit_entry(dept, "location_created", location_id=body["id"])
        events = outbox_events(dept, "logbook.api.location.created")
        assert any(e["data"]["location_id"] == body["id"] for e in events)

    def test_two_creates_of_one_name_at_once_give_one_201_and_one_409(
        self, dept: Department
    ) -> None:
        name = unique("Race Hall")
        with dept.signed_in(dept.admin_username) as admin:

            def create(_: int) -> int:
                return admin.post(LOCATIONS, json={"name": name}).status_code

            with ThreadPoolExecutor(4) as pool:
                statuses = sorted(pool.map(create, range(4)))
        assert statuses == [201, 409, 409, 409]
