"""Reading members in-process: roster, admin list, profiles, redaction, static paths."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.api.department import Department
from tests.api.members_support import (
    USERS,
    audit_entries,
    db_id,
    member_body,
)

LIST_FIELDS = {
    "id", "organization_id", "username", "email", "first_name", "middle_name", "last_name",
    "full_name", "membership_number", "phone", "mobile", "photo_url", "status",
    "membership_type", "compliance_exempt", "hire_date", "rank", "station", "platoon",
}  # fmt: skip
PERSONAL = {
    "phone": "555-0110",
    "mobile": "555-0111",
    "date_of_birth": "1979-11-02",
    "address_street": "4 Pumper Row",
    "emergency_contacts": [{"name": "Sam Lee", "relationship": "Sibling", "phone": "555-0112"}],
}


@contextmanager
def visibility(department: Department, **values: bool) -> Iterator[None]:
    """The organization's contact visibility set for one test."""
    settings = {"contact_info_visibility": values}
    org = db_id(department.organization_id)
    department.query(
        "UPDATE organizations SET settings = %s WHERE id = %s", json.dumps(settings), org
    )
    try:
        yield
    finally:
        department.query("UPDATE organizations SET settings = '{}' WHERE id = %s", org)


def create_with_personal_data(department: Department, **extra: Any) -> dict[str, Any]:
    with department.signed_in(department.admin_username) as client:
        response = client.post(USERS, json=member_body(**PERSONAL, **extra))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


class TestRoster:
    def test_every_live_member_of_any_status_in_name_order_as_a_bare_array(
        self, department: Department
    ) -> None:
        inactive, _ = department.add_member("member", status="inactive", last_name="Aaronson")
        deleted = create_with_personal_data(department)
        with department.signed_in(department.admin_username) as client:
            assert client.delete(f"{USERS}/{deleted['id']}").status_code == 204
            response = client.get(USERS)
        assert response.status_code == 200
        members = response.json()
        assert isinstance(members, list)
        assert all(set(m) == LIST_FIELDS for m in members)
        ids = [m["id"] for m in members]
        assert inactive in ids
        assert deleted["id"] not in ids
        keys = [((m["last_name"] or "").lower(), (m["first_name"] or "").lower()) for m in members]
        assert keys == sorted(keys)

    def test_foreign_members_never_appear(self, department: Department) -> None:
        other = department.second_organization()
        foreign, _ = department.add_member("member", organization_id=other)
        with department.signed_in(department.admin_username) as client:
            ids = {m["id"] for m in client.get(USERS).json()}
            directory = {m["id"] for m in client.get(f"{USERS}/with-roles").json()}
        assert foreign not in ids
        assert foreign not in directory

    def test_contact_details_follow_the_setting_for_everyone_admins_included(
        self, department: Department
    ) -> None:
        member = create_with_personal_data(department)
        with department.signed_in(department.admin_username) as client:
            hidden = next(m for m in client.get(USERS).json() if m["id"] == member["id"])
            assert (hidden["email"], hidden["phone"], hidden["mobile"]) == (None, None, None)
            with visibility(department, enabled=True, show_phone=False):
                shown = next(m for m in client.get(USERS).json() if m["id"] == member["id"])
        assert shown["email"] == member["email"]
        assert (shown["phone"], shown["mobile"]) == (None, "555-0111")

    def test_members_view_is_enough_and_no_permission_is_refused(
        self, department: Department
    ) -> None:
        _, firefighter = department.add_member("firefighter")
        with department.signed_in(firefighter) as client:
            assert client.get(USERS).status_code == 200
            refused = client.get(f"{USERS}/with-roles")
        assert (refused.status_code, refused.json()["code"]) == (403, "LB-PERM-001")
        department.query(
            "UPDATE positions SET permissions = '[]' WHERE organization_id = %s AND slug = %s",
            db_id(department.organization_id),
            "historian",
        )
        _, nobody = department.add_member("historian")
        with department.signed_in(nobody) as client:
            assert client.get(USERS).status_code == 403
            assert client.get(f"{USERS}/contact-info-enabled").status_code == 200


class TestContactInfoEnabled:
    def test_defaults_then_the_stored_setting(self, department: Department) -> None:
        _, member = department.add_member("member")
        with department.signed_in(member) as client:
            default = client.get(f"{USERS}/contact-info-enabled").json()
            with visibility(department, enabled=True, show_mobile=False):
                stored = client.get(f"{USERS}/contact-info-enabled").json()
        assert default == {
            "enabled": False, "show_email": True, "show_phone": True, "show_mobile": True,
        }  # fmt: skip
        assert stored == {
            "enabled": True, "show_email": True, "show_phone": True, "show_mobile": False,
        }  # fmt: skip


class TestDirectoryRedaction:
    def test_users_view_sees_no_personal_data_but_its_own(self, department: Department) -> None:
        member = create_with_personal_data(department)
        quartermaster_id, quartermaster = department.add_member("quartermaster")
        with (
            department.signed_in(quartermaster) as client,
            visibility(department, enabled=True, show_email=False),
        ):
            rows = {m["id"]: m for m in client.get(f"{USERS}/with-roles").json()}
        other = rows[member["id"]]
        assert other["email"] is None
        assert other["phone"] == "555-0110"
        assert (other["date_of_birth"], other["address_street"]) == (None, None)
        assert other["emergency_contacts"] == []
        assert other["personal_email"] is None
        assert other["roles"][0]["permissions"]  # users.view keeps role permissions
        own = rows[quartermaster_id]
        assert own["email"] is not None  # never redacted

    def test_members_manage_sees_everything(self, department: Department) -> None:
        member = create_with_personal_data(department)
        with department.signed_in(department.admin_username) as client:
            rows = {m["id"]: m for m in client.get(f"{USERS}/with-roles").json()}
        row = rows[member["id"]]
        assert row["date_of_birth"] == "1979-11-02"
        assert row["emergency_contacts"][0]["name"] == "Sam Lee"
        assert row["email"] == member["email"]


class TestProfile:
    def test_a_profile_only_viewer_sees_the_least_and_every_view_is_audited(
        self, department: Department
    ) -> None:
        member = create_with_personal_data(department)
        _, firefighter = department.add_member("firefighter")
        with department.signed_in(firefighter) as client:
            first = client.get(f"{USERS}/{member['id']}/with-roles")
            second = client.get(f"{USERS}/{member['id']}/with-roles")
        assert first.status_code == second.status_code == 200
        profile = first.json()
        assert "notification_preferences" in profile
        assert profile["notification_preferences"] is None
        for key in ("email_verified", "mfa_enabled", "last_login_at", "created_at", "email"):
            assert profile[key] is None, key
        assert profile["date_of_birth"] is None
        assert profile["emergency_contacts"] == []
        assert [r["permissions"] for r in profile["roles"]] == [[]]
        assert [r["name"] for r in profile["roles"]] == ["Member"]
        views = audit_entries(department, "user_viewed", "viewed_user_id", member["id"])
        assert len(views) == 2
        assert views[0]["event_data"]["restricted_pii_disclosed"] is False
        assert views[0]["request_id"] == first.headers["x-request-id"]

    def test_an_administrators_view_is_flagged_as_disclosing(self, department: Department) -> None:
        member = create_with_personal_data(department)
        with department.signed_in(department.admin_username) as client:
            profile = client.get(f"{USERS}/{member['id']}/with-roles").json()
        assert profile["date_of_birth"] == "1979-11-02"
        (view,) = audit_entries(department, "user_viewed", "viewed_user_id", member["id"])
        assert view["event_data"]["restricted_pii_disclosed"] is True

    def test_a_member_without_view_rights_still_sees_their_own_profile(
        self, department: Department
    ) -> None:
        department.query(
            "UPDATE positions SET permissions = '[]' WHERE organization_id = %s AND slug = %s",
            db_id(department.organization_id),
            "historian",
        )
        own_id, own = department.add_member("historian")
        other_id, _ = department.add_member("member")
        with department.signed_in(own) as client:
            mine = client.get(f"{USERS}/{own_id}/with-roles")
            theirs = client.get(f"{USERS}/{other_id}/with-roles")
        assert mine.status_code == 200
        assert mine.json()["email"] is not None
        assert theirs.status_code == 403


class TestPathsAndIds:
    def test_static_paths_win_over_member_ids(self, department: Department) -> None:
        with department.signed_in(department.admin_username) as client:
            archived = client.get(f"{USERS}/archived")
            directory = client.get(f"{USERS}/with-roles")
        assert archived.status_code == 200
        assert set(archived.json()) == {"organization_id", "archived_count", "members"}
        assert isinstance(directory.json(), list)

    def test_a_malformed_id_is_422_everywhere(self, department: Department) -> None:
        with department.signed_in(department.admin_username) as client:
            for method, suffix in (
                ("GET", "/with-roles"),
                ("GET", "/audit-history"),
                ("GET", "/deletion-impact"),
                ("PATCH", "/status"),
                ("DELETE", ""),
            ):
                body = {"new_status": "inactive"} if method == "PATCH" else None
                response = client.request(method, f"{USERS}/not-a-uuid{suffix}", json=body)
                assert response.status_code == 422, (method, suffix)
                assert response.json()["code"] == "LB-VAL-001"
