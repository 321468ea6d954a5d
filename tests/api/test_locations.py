"""Locations in-process (spec §2.10, §3.5, §4 #20): names unique per building, secret
display codes, paging, permissions, tenancy, audit and events."""

import uuid
from functools import partial

import pytest

from tests.api.department import Department
from tests.api.locations_support import (
    LIST_FIELDS,
    LOCATIONS,
    location_row,
    new_location,
    unique,
)
from tests.support import factories


@pytest.fixture
def dept(department: Department) -> Department:
    """The test's organization on the in-process api."""
    return department


class TestCreate:
    def test_a_name_repeats_across_buildings_but_not_within_one(self, dept: Department) -> None:
        name = unique("Training Room")
        with dept.signed_in(dept.admin_username) as admin:
            first = admin.post(LOCATIONS, json={"name": name, "building": "Station 1"})
            other = admin.post(LOCATIONS, json={"name": name, "building": "Station 2"})
            clash = admin.post(
                LOCATIONS, json={"name": f"  {name.upper()} ", "building": "station 1"}
            )
            loose = admin.post(LOCATIONS, json={"name": name})
            loose_clash = admin.post(LOCATIONS, json={"name": name.lower(), "building": " "})
        assert [first.status_code, other.status_code, loose.status_code] == [201, 201, 201]
        assert (clash.status_code, clash.json()["code"]) == (409, "LB-API-409")
        assert "name" in clash.json()["detail"]
        assert loose_clash.status_code == 409

    def test_bad_bodies_are_422_and_a_facility_must_be_ours(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            bad = [
                admin.post(LOCATIONS, json=body)
                for body in ({}, {"name": " "}, {"name": "x", "capacity": 0}, {"name": "x" * 201})
            ]
            facility = admin.post(
                LOCATIONS, json={"name": unique("Annex"), "facility_id": str(uuid.uuid4())}
            )
        assert [r.status_code for r in bad] == [422] * 4
        assert (facility.status_code, facility.json()["detail"]) == (
            400,
            "Facility not found in this organization",
        )

    def test_needs_locations_create_or_manage(self, dept: Department) -> None:
        _, lieutenant = dept.add_member("lieutenant")  # locations.view only
        _, trainer = dept.add_member("training_officer")  # locations.create
        with dept.signed_in(lieutenant) as client:
            refused = client.post(LOCATIONS, json={"name": unique("Nope")})
        with dept.signed_in(trainer) as client:
            allowed = client.post(LOCATIONS, json={"name": unique("Drill Yard")})
        assert refused.status_code == 403
        assert allowed.status_code == 201


class TestRead:
    def test_lists_by_name_without_coordinates_and_pages(self, dept: Department) -> None:
        for name in ("Zulu Shed", "Alpha Shed", "Mike Shed"):
            new_location(dept, name=unique(name), building="Yard")
        _, member = dept.add_member("member")
        with dept.signed_in(member) as client:
            everything = client.get(LOCATIONS, params={"limit": 1000}).json()
            page = client.get(LOCATIONS, params={"skip": 1, "limit": 2}).json()
            bad_limit = client.get(LOCATIONS, params={"limit": 0})
            bad_skip = client.get(LOCATIONS, params={"skip": -1})
        assert isinstance(everything, list)
        assert set(everything[0]) == LIST_FIELDS
        names = [row["name"] for row in everything]
        assert names == sorted(names)
        assert [row["id"] for row in page] == [row["id"] for row in everything[1:3]]
        assert bad_limit.status_code == bad_skip.status_code == 422

    def test_filters_active_rows_and_rooms(self, dept: Department) -> None:
        inactive = new_location(dept, is_active=False)
        room = new_location(dept)
        dept.query(
            "UPDATE locations SET facility_room_id = %s WHERE id = %s",
            uuid.uuid4().hex,
            uuid.UUID(room["id"]).hex,
        )
        with dept.signed_in(dept.admin_username) as admin:
            active = admin.get(LOCATIONS, params={"is_active": "true", "limit": 1000}).json()
            rooms_hidden = admin.get(LOCATIONS, params={"exclude_rooms": "true", "limit": 1000})
            everything = admin.get(LOCATIONS, params={"limit": 1000}).json()
        assert inactive["id"] not in {row["id"] for row in active}
        assert {row["is_active"] for row in active} == {True}
        assert room["id"] not in {row["id"] for row in rooms_hidden.json()}
        assert {inactive["id"], room["id"]} <= {row["id"] for row in everything}

    def test_the_display_code_is_shown_only_to_location_managers(self, dept: Department) -> None:
        created = new_location(dept)
        _, member = dept.add_member("member")
        _, coordinator = dept.add_member("meeting_hall_coordinator")  # locations.edit
        with dept.signed_in(member) as client:
            listed = client.get(LOCATIONS, params={"limit": 1000}).json()
            single = client.get(f"{LOCATIONS}/{created['id']}").json()
        with dept.signed_in(coordinator) as client:
            managed = client.get(f"{LOCATIONS}/{created['id']}").json()
        assert {row["display_code"] for row in listed} == {None}
        assert single["display_code"] is None
        assert single["latitude"] is None
        assert managed["display_code"] == created["display_code"]

    def test_ids_malformed_unknown_and_foreign(self, dept: Department) -> None:
        other = dept.second_organization()
        theirs = partial(factories.location, organization_id=uuid.UUID(other), name="Theirs")
        foreign = str(dept.run(theirs).id)
        with dept.signed_in(dept.admin_username) as admin:
            malformed = admin.get(f"{LOCATIONS}/nope")
            unknown = admin.get(f"{LOCATIONS}/{uuid.uuid4()}")
            calls = [
                admin.get(f"{LOCATIONS}/{foreign}"),
                admin.patch(f"{LOCATIONS}/{foreign}", json={"name": "Mine"}),
                admin.delete(f"{LOCATIONS}/{foreign}"),
                admin.post(f"{LOCATIONS}/{foreign}/regenerate-display-code"),
            ]
            listed = admin.get(LOCATIONS, params={"limit": 1000}).json()
        assert (malformed.status_code, malformed.json()["code"]) == (422, "LB-VAL-001")
        assert (unknown.status_code, unknown.json()["detail"]) == (404, "Location not found")
        assert [r.status_code for r in calls] == [404] * 4
        assert foreign not in {row["id"] for row in listed}
        row = location_row(dept, foreign)
        assert row is not None
        assert row["name"] == "Theirs"
