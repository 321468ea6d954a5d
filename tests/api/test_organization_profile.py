"""Organization profile, address, modules and membership-number preview in-process
(spec §3.4, §4 #19; app-shell spec §1.3)."""

import uuid

import pytest

from tests.api.audit_support import audit_entry, outbox_events
from tests.api.department import Department
from tests.api.organization_support import stored_settings

ORG = "/api/v1/organization"
ESSENTIALS = ["members", "events", "documents", "roles", "settings"]
TINY_PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
def dept(department: Department) -> Department:
    """The test's organization on the in-process api."""
    return department


def organization_row(dept: Department) -> dict[str, object]:
    rows = dept.query(
        "SELECT * FROM organizations WHERE id = %s", uuid.UUID(dept.organization_id).hex
    )
    return rows[0]


class TestProfile:
    def test_any_member_reads_it_with_empty_strings_for_missing_values(
        self, dept: Department
    ) -> None:
        _, member = dept.add_member("member")
        with dept.signed_in(member) as client:
            response = client.get(f"{ORG}/profile")
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {
            "name",
            "timezone",
            "phone",
            "email",
            "website",
            "county",
            "founded_year",
            "logo",
            "mailing_address",
            "physical_address_same",
            "physical_address",
        }
        assert set(body["mailing_address"]) == {"line1", "line2", "city", "state", "zip"}
        assert isinstance(body["name"], str)
        assert body["timezone"]
        for key in ("phone", "email", "website", "county", "logo"):
            assert isinstance(body[key], str)

    def test_settings_managers_change_it_partially(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            first = admin.patch(
                f"{ORG}/profile",
                json={
                    "timezone": "America/Chicago",
                    "founded_year": 1923,
                    "logo": TINY_PNG,
                    "mailing_address": {
                        "line1": "9 Engine Way",
                        "line2": None,
                        "city": "Springfield",
                        "state": None,
                    },
                },
            )
            second = admin.patch(
                f"{ORG}/profile",
                json={"phone": "555-0109", "mailing_address": {"zip": "62704"}},
            )
        assert first.status_code == second.status_code == 200, first.text
        body = second.json()
        assert (body["timezone"], body["founded_year"], body["logo"]) == (
            "America/Chicago",
            1923,
            TINY_PNG,
        )
        assert body["phone"] == "555-0109"
        assert body["mailing_address"] == {
            "line1": "9 Engine Way",
            "line2": "",
            "city": "Springfield",
            "state": "",
            "zip": "62704",
        }
        row = organization_row(dept)
        assert (row["timezone"], row["mailing_address_zip"]) == ("America/Chicago", "62704")
        entry = audit_entry(
            dept,
            "organization.profile_updated",
            fields_changed=["timezone", "founded_year", "logo", "mailing_address"],
        )
        assert entry["request_id"] == first.headers["x-request-id"]
        events = [
            e
            for e in outbox_events(dept, "logbook.api.organization.profile_updated")
            if e["request_id"] == first.headers["x-request-id"]
        ]
        assert [e["data"]["timezone"] for e in events] == ["America/Chicago"]

    def test_bad_values_are_422(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            responses = [
                admin.patch(f"{ORG}/profile", json=body)
                for body in (
                    {"timezone": "Mars/Olympus_Mons"},
                    {"founded_year": 1500},
                    {"name": ""},
                    {"logo": "data:image/svg+xml;base64,PHN2Zz4="},
                    {"website": "x" * 501},
                )
            ]
        assert [r.status_code for r in responses] == [422] * 5
        assert {r.json()["code"] for r in responses} == {"LB-VAL-001"}

    def test_needs_settings_manage(self, dept: Department) -> None:
        _, secretary = dept.add_member("secretary")
        with dept.signed_in(secretary) as client:
            response = client.patch(f"{ORG}/profile", json={"county": "Sangamon"})
        assert (response.status_code, response.json()["code"]) == (403, "LB-PERM-001")
        assert organization_row(dept)["county"] != "Sangamon"


class TestAddress:
    def test_mailing_address_unless_a_different_physical_one_is_set(self, dept: Department) -> None:
        _, member = dept.add_member("member")
        with dept.signed_in(dept.admin_username) as admin:
            admin.patch(
                f"{ORG}/profile",
                json={
                    "mailing_address": {
                        "line1": "PO Box 9",
                        "city": "Springfield",
                        "state": "IL",
                        "zip": "62701",
                    },
                    "physical_address_same": True,
                    "physical_address": {"line1": "9 Engine Way", "city": "Capital City"},
                },
            )
            with dept.signed_in(member) as client:
                same = client.get(f"{ORG}/address").json()
            admin.patch(f"{ORG}/profile", json={"physical_address_same": False})
            with dept.signed_in(member) as client:
                physical = client.get(f"{ORG}/address").json()
        assert same == {"address": "PO Box 9", "city": "Springfield", "state": "IL", "zip": "62701"}
        assert physical == {
            "address": "9 Engine Way",
            "city": "Capital City",
            "state": "",
            "zip": "",
        }


class TestModules:
    def test_only_served_modules_can_be_on(self, dept: Department) -> None:
        _, member = dept.add_member("member")
        with dept.signed_in(member) as client:
            before = client.get(f"{ORG}/modules").json()
        with dept.signed_in(dept.admin_username) as admin:
            off = admin.patch(
                f"{ORG}/modules", json={"notifications": False, "training": False, "nope": 1}
            )
            on = admin.patch(f"{ORG}/modules", json={"notifications": True})
        assert before["enabled_modules"] == [*ESSENTIALS, "training", "inventory", "notifications"]
        assert off.status_code == 200
        assert off.json()["module_settings"]["notifications"] is False
        assert off.json()["module_settings"]["training"] is False
        assert off.json()["enabled_modules"] == [*ESSENTIALS, "inventory"]
        assert on.json()["enabled_modules"] == [*ESSENTIALS, "inventory", "notifications"]
        assert len(on.json()["module_settings"]) == 20
        stored = stored_settings(dept)
        assert stored["modules"]["notifications"] is True
        assert stored["modules_configured"] is True
        assert "nope" not in stored["modules"]
        entry = audit_entry(dept, "organization_settings_updated", settings_changed=["modules"])
        assert entry["severity"] == "warning"
        events = outbox_events(dept, "logbook.api.organization.settings_updated")
        on_modules = [*ESSENTIALS, "inventory", "notifications"]
        assert on_modules in [e["data"]["enabled_modules"] for e in events]

    def test_a_non_boolean_switch_is_422_and_members_cannot_switch(self, dept: Department) -> None:
        _, member = dept.add_member("member")
        with dept.signed_in(dept.admin_username) as admin:
            bad = admin.patch(f"{ORG}/modules", json={"notifications": "yes"})
        with dept.signed_in(member) as client:
            refused = client.patch(f"{ORG}/modules", json={"notifications": False})
        assert (bad.status_code, bad.json()["detail"][0]["field"]) == (422, "notifications")
        assert refused.status_code == 403


class TestMembershipIdPreview:
    def test_previews_the_next_free_number_without_using_it(self, dept: Department) -> None:
        _, member = dept.add_member("member")
        prefix = f"P{uuid.uuid4().hex[:3].upper()}"
        with dept.signed_in(dept.admin_username) as admin:
            admin.patch(f"{ORG}/settings/membership-id", json={"enabled": False})
            with dept.signed_in(member) as client:
                disabled = client.get(f"{ORG}/settings/membership-id/preview").json()
            admin.patch(
                f"{ORG}/settings/membership-id",
                json={"enabled": True, "prefix": prefix, "next_number": 7},
            )
            taken, _ = dept.add_member("member")
            dept.query(
                "UPDATE users SET membership_number = %s, membership_number_key = %s WHERE id = %s",
                f"{prefix}0007",
                f"{prefix}0007".lower(),
                uuid.UUID(taken).hex,
            )
            with dept.signed_in(member) as client:
                first = client.get(f"{ORG}/settings/membership-id/preview").json()
                again = client.get(f"{ORG}/settings/membership-id/preview").json()
        assert disabled == {"enabled": False, "next_id": None}
        assert first == again == {"enabled": True, "next_id": f"{prefix}0008"}
        assert stored_settings(dept)["membership_id"]["next_number"] == 7


class TestGuards:
    def test_every_read_needs_a_session(self, dept: Department) -> None:
        paths = (
            "settings",
            "settings/membership-id/preview",
            "modules",
            "profile",
            "address",
        )
        for path in paths:
            response = dept.client().get(f"{ORG}/{path}")
            assert (response.status_code, response.json()["code"]) == (401, "LB-AUTH-001"), path

    def test_section_writes_need_settings_manage_or_update_settings(self, dept: Department) -> None:
        _, member = dept.add_member("member")
        _, chief = dept.add_member("fire_chief")  # settings.manage
        with dept.signed_in(member) as client:
            refused = [
                client.patch(f"{ORG}/settings/{section}", json={})
                for section in ("email", "file-storage", "auth")
            ]
        with dept.signed_in(chief) as client:
            allowed = client.patch(f"{ORG}/settings/file-storage", json={"platform": "local"})
        assert [r.status_code for r in refused] == [403] * 3
        assert allowed.status_code == 200
