"""Location edits, deletes and code rotation, and operational ranks, in-process
(spec §2.7, §3.5, §4 #20, §5, §6)."""

import uuid

import pytest

from shared.catalog.system_roles import DEFAULT_RANKS
from tests.api.audit_support import audit_entry, outbox_events
from tests.api.department import Department
from tests.api.locations_support import (
    CODE,
    LOCATIONS,
    RANK_FIELDS,
    RANKS,
    location_row,
    new_location,
)


@pytest.fixture
def dept(department: Department) -> Department:
    """The test's organization on the in-process api."""
    return department


class TestUpdate:
    def test_changes_the_fields_sent(self, dept: Department) -> None:
        created = new_location(dept, building="Station 4", floor="1", capacity=10)
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.patch(
                f"{LOCATIONS}/{created['id']}",
                json={"name": "Renamed Bay", "floor": None, "capacity": 12},
            )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["name"], body["floor"], body["capacity"], body["building"]) == (
            "Renamed Bay",
            None,
            12,
            "Station 4",
        )
        assert body["display_code"] == created["display_code"]
        row = location_row(dept, created["id"])
        assert row is not None
        assert row["name_key"] == "renamed bay"
        audit_entry(dept, "location_updated", location_id=created["id"])
        events = outbox_events(dept, "logbook.api.location.updated")
        assert any(e["data"]["name"] == "Renamed Bay" for e in events)

    def test_renaming_onto_a_name_in_the_same_building_is_409(self, dept: Department) -> None:
        taken = new_location(dept, building="Station 5")
        moving = new_location(dept, building="Station 5")
        elsewhere = new_location(dept, building="Station 6")
        with dept.signed_in(dept.admin_username) as admin:
            clash = admin.patch(f"{LOCATIONS}/{moving['id']}", json={"name": taken["name"]})
            fine = admin.patch(f"{LOCATIONS}/{elsewhere['id']}", json={"name": taken["name"]})
            moved_in = admin.patch(f"{LOCATIONS}/{elsewhere['id']}", json={"building": "Station 5"})
        assert clash.status_code == 409
        assert fine.status_code == 200
        assert moved_in.status_code == 409
        row = location_row(dept, moving["id"])
        assert row is not None
        assert row["name"] == moving["name"]

    def test_a_room_backed_location_keeps_its_facility(self, dept: Department) -> None:
        room = new_location(dept)
        dept.query(
            "UPDATE locations SET facility_room_id = %s WHERE id = %s",
            uuid.uuid4().hex,
            uuid.UUID(room["id"]).hex,
        )
        with dept.signed_in(dept.admin_username) as admin:
            moved = admin.patch(
                f"{LOCATIONS}/{room['id']}", json={"facility_id": str(uuid.uuid4())}
            )
        assert moved.status_code == 400
        assert "facility" in moved.json()["detail"]

    def test_needs_locations_edit_or_manage(self, dept: Department) -> None:
        created = new_location(dept)
        _, lieutenant = dept.add_member("lieutenant")
        with dept.signed_in(lieutenant) as client:
            assert (
                client.patch(f"{LOCATIONS}/{created['id']}", json={"name": "x"}).status_code == 403
            )


class TestDisplayCode:
    def test_regenerating_replaces_the_code_and_is_audited(self, dept: Department) -> None:
        created = new_location(dept)
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.post(f"{LOCATIONS}/{created['id']}/regenerate-display-code")
        assert response.status_code == 200
        code = response.json()["display_code"]
        assert CODE.match(code)
        assert code != created["display_code"]
        row = location_row(dept, created["id"])
        assert row is not None
        assert row["display_code"] == code
        entry = audit_entry(
            dept,
            "location_display_code_regenerated",
            location_id=created["id"],
            location_name=created["name"],
        )
        assert entry["severity"] == "warning"
        assert code not in str(entry["event_data"])
        events = outbox_events(dept, "logbook.api.location.display_code_rotated")
        assert {"location_id": created["id"]} in [e["data"] for e in events]

    def test_needs_locations_edit_or_manage(self, dept: Department) -> None:
        created = new_location(dept)
        _, lieutenant = dept.add_member("lieutenant")
        with dept.signed_in(lieutenant) as client:
            response = client.post(f"{LOCATIONS}/{created['id']}/regenerate-display-code")
        assert response.status_code == 403
        row = location_row(dept, created["id"])
        assert row is not None
        assert row["display_code"] == created["display_code"]


class TestDelete:
    def test_deletes_for_real_with_204(self, dept: Department) -> None:
        created = new_location(dept)
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.delete(f"{LOCATIONS}/{created['id']}")
            again = admin.get(f"{LOCATIONS}/{created['id']}")
        assert (response.status_code, response.content) == (204, b"")
        assert again.status_code == 404
        assert location_row(dept, created["id"]) is None
        audit_entry(dept, "location_deleted", location_id=created["id"])
        events = outbox_events(dept, "logbook.api.location.deleted")
        deleted = [e["data"] for e in events if e["data"]["location_id"] == created["id"]]
        assert deleted == [
            {
                "location_id": created["id"],
                "name": created["name"],
                "building": None,
                "is_active": True,
                "deactivated_instead": False,
            }
        ]

    def test_needs_locations_delete_or_manage(self, dept: Department) -> None:
        created = new_location(dept)
        _, trainer = dept.add_member("training_officer")  # locations.manage
        _, lieutenant = dept.add_member("lieutenant")
        with dept.signed_in(lieutenant) as client:
            refused = client.delete(f"{LOCATIONS}/{created['id']}")
        with dept.signed_in(trainer) as client:
            allowed = client.delete(f"{LOCATIONS}/{created['id']}")
        assert refused.status_code == 403
        assert allowed.status_code == 204


class TestOperationalRanks:
    def test_the_first_read_seeds_the_defaults_in_order(self, dept: Department) -> None:
        _, member = dept.add_member("member")
        with dept.signed_in(member) as client:
            response = client.get(RANKS)
            page = client.get(RANKS, params={"skip": 2, "limit": 3}).json()
            bad = client.get(RANKS, params={"limit": 1001})
        assert response.status_code == 200
        body = response.json()
        assert set(body[0]) == RANK_FIELDS
        assert [(r["rank_code"], r["display_name"]) for r in body] == list(DEFAULT_RANKS)
        assert [r["rank_code"] for r in page] == [code for code, _ in DEFAULT_RANKS[2:5]]
        assert bad.status_code == 422
        assert {r["organization_id"] for r in body} == {dept.organization_id}

    def test_filters_on_is_active(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            admin.get(RANKS)
            dept.query(
                "UPDATE operational_ranks SET is_active = 0 WHERE organization_id = %s"
                " AND rank_code = 'emt'",
                uuid.UUID(dept.organization_id).hex,
            )
            inactive = admin.get(RANKS, params={"is_active": "false"}).json()
            active = admin.get(RANKS, params={"is_active": "true"}).json()
        assert [r["rank_code"] for r in inactive] == ["emt"]
        assert "emt" not in {r["rank_code"] for r in active}

    def test_without_a_session_it_is_401(self, dept: Department) -> None:
        assert dept.client().get(f"{RANKS}").status_code == 401
