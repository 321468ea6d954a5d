"""Organization settings in-process (spec §2.2, §3.4, §4 #18): deep merges, section
replacement, sealed secrets that never come back, what non-managers see, audit and events."""

import json
import uuid

import pytest

from tests.api.audit_support import audit_entry, outbox_events
from tests.api.department import Department, create_admin
from tests.api.organization_support import MASK, SECTIONS, SETTINGS, secret_token, stored_settings


@pytest.fixture
def dept(department: Department) -> Department:
    """The test's organization on the in-process api."""
    return department


class TestReadSettings:
    def test_every_member_reads_the_document_with_defaults(self, dept: Department) -> None:
        _, member = dept.add_member("member")
        with dept.signed_in(member) as client:
            response = client.get(SETTINGS)
        assert response.status_code == 200
        body = response.json()
        assert set(body) >= SECTIONS
        assert body["contact_info_visibility"] == {
            "enabled": False,
            "show_email": True,
            "show_phone": True,
            "show_mobile": True,
        }
        assert body["membership_id"] == {
            "enabled": False,
            "auto_generate": False,
            "prefix": "",
            "next_number": 1,
        }
        assert body["email_service"]["smtp_port"] == 587
        assert body["email_service"]["smtp_password"] is None
        assert body["file_storage"]["platform"] == "local"
        assert body["auth"]["provider"] == "local"
        assert [tier["id"] for tier in body["membership_tiers"]["tiers"]] == [
            "probationary",
            "active",
            "senior",
            "life",
        ]

    def test_without_settings_manage_identifiers_are_null_and_it_team_empty(
        self, dept: Department
    ) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            assert (
                admin.patch(
                    SETTINGS,
                    json={
                        "email_service": {"smtp_host": "smtp.station9.example.org"},
                        "file_storage": {"s3_bucket_name": "station9-files"},
                        "auth": {"authentik_url": "https://sso.station9.example.org"},
                        "it_team": {"members": [{"name": "Pat", "email": "pat@example.org"}]},
                    },
                ).status_code
                == 200
            )
            managed = admin.get(SETTINGS).json()
        _, member = dept.add_member("member")
        with dept.signed_in(member) as client:
            seen = client.get(SETTINGS).json()
        assert managed["email_service"]["smtp_host"] == "smtp.station9.example.org"
        assert managed["it_team"]["members"][0]["name"] == "Pat"
        assert seen["email_service"]["smtp_host"] is None
        assert seen["file_storage"]["s3_bucket_name"] is None
        assert seen["auth"]["authentik_url"] is None
        assert seen["auth"]["provider"] == "local"
        assert seen["it_team"] == {"members": [], "backup_access": {}}


class TestPatchSettings:
    def test_a_partial_section_keeps_its_other_keys_and_free_keys_stay(
        self, dept: Department
    ) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            first = admin.patch(
                SETTINGS,
                json={
                    "membership_id": {"prefix": "FD", "next_number": 40},
                    "station_mode": "multi_station",
                    "scheduling": {"min_staff": 3},
                },
            )
            second = admin.patch(
                SETTINGS,
                json={"membership_id": {"enabled": True}, "scheduling": {"max_staff": 9}},
            )
            read = admin.get(SETTINGS).json()
        assert first.status_code == second.status_code == 200
        assert read["membership_id"] == {
            "enabled": True,
            "auto_generate": False,
            "prefix": "FD",
            "next_number": 40,
        }
        assert read["station_mode"] == "multi_station"
        assert read["scheduling"] == {"min_staff": 3, "max_staff": 9}
        assert second.json() == read
        stored = stored_settings(dept)
        assert stored["station_mode"] == "multi_station"

    def test_bad_values_are_422_naming_the_field(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            number = admin.patch(SETTINGS, json={"membership_id": {"next_number": 0}})
            port = admin.patch(SETTINGS, json={"email_service": {"smtp_port": "25"}})
            section = admin.patch(SETTINGS, json={"contact_info_visibility": "yes"})
            module = admin.patch(SETTINGS, json={"modules": {"training": "on"}})
        for response, field in (
            (number, "membership_id.next_number"),
            (port, "email_service.smtp_port"),
            (section, "contact_info_visibility"),
            (module, "modules.training"),
        ):
            assert response.status_code == 422, response.text
            assert response.json()["detail"][0]["field"] == field

    def test_contact_visibility_only_callers_use_their_own_route(self, dept: Department) -> None:
        _, secretary = dept.add_member("secretary")  # settings.manage_contact_visibility only
        with dept.signed_in(secretary) as client:
            full = client.patch(SETTINGS, json={"station_mode": "single_station"})
            own = client.patch(f"{SETTINGS}/contact-info", json={"enabled": True})
            email = client.patch(f"{SETTINGS}/email", json={"enabled": True})
        assert (full.status_code, full.json()["code"]) == (403, "LB-PERM-001")
        assert email.status_code == 403
        assert own.status_code == 200
        assert own.json() == {
            "enabled": True,
            "show_email": True,
            "show_phone": True,
            "show_mobile": True,
        }
        _, member = dept.add_member("member")
        with dept.signed_in(member) as client:
            assert client.patch(f"{SETTINGS}/contact-info", json={}).status_code == 403

    def test_membership_id_needs_settings_edit(self, dept: Department) -> None:
        _, chief = dept.add_member("fire_chief")  # settings.edit
        _, secretary = dept.add_member("secretary")
        with dept.signed_in(chief) as client:
            allowed = client.patch(
                f"{SETTINGS}/membership-id", json={"auto_generate": True, "prefix": "E"}
            )
        with dept.signed_in(secretary) as client:
            refused = client.patch(f"{SETTINGS}/membership-id", json={"prefix": "X"})
        assert allowed.status_code == 200
        assert allowed.json()["prefix"] == "E"
        assert allowed.json()["auto_generate"] is True
        assert refused.status_code == 403

    def test_each_write_is_audited_and_announced_by_section_name(self, dept: Department) -> None:
        token = secret_token()
        with dept.signed_in(dept.admin_username) as admin:
            response = admin.patch(
                SETTINGS,
                json={"email_service": {"smtp_password": token}, "department_email": {}},
            )
        assert response.status_code == 200
        request_id = response.headers["x-request-id"]
        entry = audit_entry(
            dept,
            "organization_settings_updated",
            settings_changed=["department_email", "email_service"],
        )
        assert (entry["event_category"], entry["severity"]) == ("administration", "warning")
        assert entry["request_id"] == request_id
        events = [
            e
            for e in outbox_events(dept, "logbook.api.organization.settings_updated")
            if e["request_id"] == request_id
        ]
        assert [e["data"]["sections"] for e in events] == [["department_email", "email_service"]]
        everything = json.dumps(dept.query("SELECT * FROM audit_logs"), default=str)
        everything += json.dumps(dept.query("SELECT payload FROM outbox"), default=str)
        assert token not in everything


class TestSecrets:
    def test_a_section_write_replaces_the_section(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            admin.patch(f"{SETTINGS}/email", json={"smtp_user": "relay", "from_name": "Nine"})
            replaced = admin.patch(f"{SETTINGS}/email", json={"from_name": "Station 9"})
        body = replaced.json()
        assert (body["from_name"], body["smtp_user"], body["smtp_port"]) == ("Station 9", None, 587)
        assert body["smtp_password"] is None  # not sent: the replaced section has none

    def test_file_storage_and_auth_seal_their_own_secrets(self, dept: Department) -> None:
        storage_secret, auth_secret = secret_token(), secret_token()
        with dept.signed_in(dept.admin_username) as admin:
            storage = admin.patch(
                f"{SETTINGS}/file-storage",
                json={
                    "platform": "s3",
                    "s3_access_key_id": "AKIA1",
                    "s3_secret_access_key": storage_secret,
                },
            )
            sign_in = admin.patch(
                f"{SETTINGS}/auth",
                json={"provider": "authentik", "authentik_client_secret": auth_secret},
            )
            invalid = admin.patch(f"{SETTINGS}/auth", json={"provider": "myspace"})
        assert storage.json()["s3_secret_access_key"] == MASK
        assert storage.json()["s3_access_key_id"] == "AKIA1"
        assert sign_in.json()["authentik_client_secret"] == MASK
        assert sign_in.json()["microsoft_client_secret"] is None
        assert invalid.status_code == 422
        stored = json.dumps(stored_settings(dept))
        assert storage_secret not in stored
        assert auth_secret not in stored

    def test_a_cleared_secret_reads_back_null(self, dept: Department) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            admin.patch(SETTINGS, json={"auth": {"google_client_secret": secret_token()}})
            cleared = admin.patch(SETTINGS, json={"auth": {"google_client_secret": None}})
        assert cleared.json()["auth"]["google_client_secret"] is None
        assert stored_settings(dept)["auth"]["google_client_secret"] is None


class TestTenancy:
    def test_each_organization_has_its_own_document(self, dept: Department) -> None:
        name, owner = f"Other {uuid.uuid4().hex[:6]}", f"o{uuid.uuid4().hex[:10]}"
        create_admin(dept, name, owner)
        other = str(
            uuid.UUID(dept.query("SELECT id FROM organizations WHERE name = %s", name)[0]["id"])
        )
        marker = uuid.uuid4().hex
        with dept.signed_in(owner) as client:
            assert client.patch(SETTINGS, json={"tenant_marker": marker}).status_code == 200
        with dept.signed_in(dept.admin_username) as admin:
            mine = admin.get(SETTINGS).json()
        assert mine.get("tenant_marker") != marker
        assert stored_settings(dept, other)["tenant_marker"] == marker
