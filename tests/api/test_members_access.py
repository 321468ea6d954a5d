"""Who may call which member route, tenancy on every id route, and the member audit history."""

import io
import uuid
from typing import Any

from PIL import Image

from tests.api.department import Department
from tests.api.members_support import (
    USERS,
    member_body,
    user_row,
)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), (0, 90, 200)).save(out, format="PNG")
    return out.getvalue()


def id_routes(user_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every CORE route that takes a member id, with a body it would accept."""
    base = f"{USERS}/{user_id}"
    return [
        ("GET", f"{base}/with-roles", {}),
        ("PATCH", f"{base}/profile", {"json": {"first_name": "Changed"}}),
        ("PATCH", f"{base}/contact-info", {"json": {"phone": "555-0199"}}),
        ("PUT", f"{base}/roles", {"json": {"role_ids": []}}),
        ("GET", f"{base}/deletion-impact", {}),
        ("POST", f"{base}/photo", {"files": {"file": ("p.png", png(), "image/png")}}),
        ("DELETE", f"{base}/photo", {}),
        ("GET", f"{base}/audit-history", {}),
        ("PATCH", f"{base}/status", {"json": {"new_status": "inactive"}}),
        ("POST", f"{base}/reactivate", {"json": {}}),
        ("PATCH", f"{base}/membership-type", {"json": {"membership_type": "life"}}),
        ("PATCH", f"{base}/compliance-exempt", {"json": {"exempt": True}}),
        ("DELETE", base, {}),
        ("DELETE", base, {"params": {"hard": "true"}}),
    ]


def powerless_member(department: Department) -> str:
    """A member whose only role grants nothing."""
    slug = f"nothing_{uuid.uuid4().hex[:8]}"
    department.add_role(name="Nothing", slug=slug)
    return department.add_member(slug)[1]


class TestPermissions:
    def test_a_member_without_permissions_is_refused_everywhere_but_the_open_route(
        self, department: Department
    ) -> None:
        other_id, _ = department.add_member("member")
        nobody = powerless_member(department)
        static = [
            ("GET", USERS, {}),
            ("GET", f"{USERS}/with-roles", {}),
            ("GET", f"{USERS}/archived", {}),
            ("POST", USERS, {"json": member_body()}),
        ]
        with department.signed_in(nobody) as client:
            for method, path, options in [*static, *id_routes(other_id)]:
                response = client.request(method, path, **options)
                assert response.status_code == 403, (method, path)
                assert response.json() == {
                    "detail": "Insufficient permissions",
                    "code": "LB-PERM-001",
                    "request_id": response.headers["x-request-id"],
                }
            assert client.get(f"{USERS}/contact-info-enabled").status_code == 200
        assert user_row(department, other_id)["first_name"] == "Test"

    def test_the_profile_viewer_reads_but_changes_nothing(self, department: Department) -> None:
        other_id, _ = department.add_member("member")
        _, firefighter = department.add_member("firefighter")
        with department.signed_in(firefighter) as client:
            assert client.get(f"{USERS}/{other_id}/with-roles").status_code == 200
            writes = [r for r in id_routes(other_id) if r[0] != "GET"]
            for method, path, options in writes:
                assert client.request(method, path, **options).status_code == 403, path

    def test_without_a_session_every_route_answers_401(self, department: Department) -> None:
        other_id, _ = department.add_member("member")
        with department.client() as client:
            for method, path, options in [("GET", USERS, {}), *id_routes(other_id)]:
                response = client.request(method, path, **options)
                assert response.status_code == 401, (method, path)


class TestTenancy:
    def test_another_organizations_member_is_not_found_on_every_id_route(
        self, department: Department
    ) -> None:
        other = department.second_organization()
        foreign_id, _ = department.add_member("member", organization_id=other)
        before = user_row(department, foreign_id)
        with department.signed_in(department.admin_username) as client:
            for method, path, options in id_routes(foreign_id):
                response = client.request(method, path, **options)
                assert response.status_code == 404, (method, path, response.text)
                assert response.json()["detail"] == "Member not found"
        after = user_row(department, foreign_id)
        assert after == before


class TestAuditHistory:
    def test_entries_about_the_member_newest_first_with_filters_and_pages(
        self, department: Department
    ) -> None:
        user_id, _ = department.add_member("member")
        bystander, _ = department.add_member("member")
        path = f"{USERS}/{user_id}/audit-history"
        with department.signed_in(department.admin_username) as client:
            client.patch(f"{USERS}/{user_id}/profile", json={"first_name": "Dana"})
            client.patch(f"{USERS}/{user_id}/status", json={"new_status": "leave"})
            client.get(f"{USERS}/{user_id}/with-roles")
            client.patch(f"{USERS}/{bystander}/profile", json={"first_name": "Other"})
            everything = client.get(path).json()
            statuses = client.get(path, params={"event_type": "status_change"}).json()
            profiles = client.get(path, params={"event_type": "profile_update"}).json()
            views = client.get(path, params={"event_type": "user_viewed"}).json()
            second_page = client.get(path, params={"page": 2, "page_size": 1}).json()
            too_big = client.get(path, params={"page_size": 101})
            missing = client.get(f"{USERS}/{uuid.uuid4()}/audit-history")
        types = [entry["event_type"] for entry in everything]
        assert types == ["user_viewed", "member_status_changed", "user_profile_updated"]
        assert [e["id"] for e in everything] == sorted((e["id"] for e in everything), reverse=True)
        assert all(isinstance(e["id"], int) for e in everything)
        first = everything[1]
        assert set(first) == {
            "id", "timestamp", "event_type", "severity", "description", "changed_by_username",
            "changed_by_user_id", "event_data",
        }  # fmt: skip
        assert first["changed_by_username"] == department.admin_username
        assert first["description"] == "Status changed from active to leave"
        assert first["timestamp"].endswith("Z")
        assert [e["event_type"] for e in statuses] == ["member_status_changed"]
        assert [e["event_type"] for e in profiles] == ["user_profile_updated"]
        assert [e["event_type"] for e in views] == ["user_viewed"]
        assert [e["event_type"] for e in second_page] == ["member_status_changed"]
        assert too_big.status_code == 422
        assert missing.status_code == 404
