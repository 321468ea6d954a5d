"""Editing members in-process: profile, contact details, roles, photo."""

import base64
import io
from typing import Any

from PIL import Image

from tests.api.department import Department
from tests.api.members_support import (
    USERS,
    audit_entries,
    db_id,
    events,
    member_body,
    role_id,
    unique,
    user_row,
)


def created(department: Department, **fields: Any) -> dict[str, Any]:
    with department.signed_in(department.admin_username) as client:
        response = client.post(USERS, json=member_body(**fields))
    assert response.status_code == 201, response.text
    member: dict[str, Any] = response.json()
    return member


def image_bytes(kind: str, size: tuple[int, int] = (1200, 900), **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=kind, **save)
    return out.getvalue()


class TestProfile:
    def test_a_member_edits_their_own_profile_and_null_clears(self, department: Department) -> None:
        user_id, username = department.add_member("member")
        with department.signed_in(username) as client:
            first = client.patch(
                f"{USERS}/{user_id}/profile",
                json={"first_name": "Robin", "phone": "555-0140", "address_city": "Millbrook",
                      "email": "ignored@example.org", "status": "inactive"},
            )  # fmt: skip
            cleared = client.patch(f"{USERS}/{user_id}/profile", json={"phone": None})
        assert first.status_code == 200, first.text
        profile = first.json()
        assert (profile["first_name"], profile["phone"]) == ("Robin", "555-0140")
        assert profile["address_city"] == "Millbrook"
        assert "notification_preferences" in profile
        assert profile["email"] == f"{username}@station9.example.org"  # only via contact-info
        assert profile["status"] == "active"  # only via status
        assert cleared.json()["phone"] is None
        entries = audit_entries(department, "user_profile_updated", "updated_user_id", user_id)
        assert entries[0]["event_data"]["fields_updated"] == ["address_city", "first_name", "phone"]
        assert entries[0]["event_data"]["is_self_update"] is True
        updates = events(department, "logbook.api.member.updated", user_id)
        assert updates[0]["data"]["changed_fields"] == ["address_city", "first_name", "phone"]
        assert "555-0140" not in str(updates[0]["data"])  # personal data stays out of events

    def test_operational_fields_need_members_manage_even_on_ones_own_profile(
        self, department: Department
    ) -> None:
        user_id, username = department.add_member("member")
        with department.signed_in(username) as client:
            refused = client.patch(f"{USERS}/{user_id}/profile", json={"station": "Station 2"})
        with department.signed_in(department.admin_username) as client:
            allowed = client.patch(
                f"{USERS}/{user_id}/profile",
                json={"station": "Station 2", "hire_date": "2019-05-01"},
            )
        assert refused.status_code == 403
        assert allowed.status_code == 200
        (update,) = events(department, "logbook.api.member.updated", user_id)
        assert (update["data"]["station"], update["data"]["hire_date"]) == (
            "Station 2",
            "2019-05-01",
        )

    def test_someone_elses_profile_needs_edit_rights(self, department: Department) -> None:
        other_id, _ = department.add_member("member")
        _, firefighter = department.add_member("firefighter")
        with department.signed_in(firefighter) as client:
            response = client.patch(f"{USERS}/{other_id}/profile", json={"first_name": "X"})
        assert (response.status_code, response.json()["code"]) == (403, "LB-PERM-001")

    def test_a_taken_membership_number_and_a_rank_above_the_caller_are_refused(
        self, department: Department
    ) -> None:
        number = unique("E-")
        created(department, membership_number=number)
        user_id, _ = department.add_member("member")
        _, secretary = department.add_member("secretary")
        with department.signed_in(secretary) as client:
            clash = client.patch(
                f"{USERS}/{user_id}/profile", json={"membership_number": number.upper()}
            )
            rank = client.patch(f"{USERS}/{user_id}/profile", json={"rank": "fire_chief"})
        assert (clash.status_code, clash.json()["detail"]) == (
            409,
            "A member with this membership number already exists",
        )
        assert rank.status_code == 403
        assert user_row(department, user_id)["rank"] is None


class TestContactInfo:
    def test_email_change_resets_verification_and_preferences_merge(
        self, department: Department
    ) -> None:
        user_id, username = department.add_member("member")
        department.query(
            "UPDATE users SET mobile = NULL, notification_preferences = %s WHERE id = %s",
            '{"email_notifications": false, "sms_notifications": true}',
            db_id(user_id),
        )
        new_email = f"{unique()}@station9.example.org"
        with department.signed_in(username) as client:
            response = client.patch(
                f"{USERS}/{user_id}/contact-info",
                json={"email": new_email, "phone": "555-0150", "mobile": None,
                      "notification_preferences": {"event_reminders": False}},
            )  # fmt: skip
        assert response.status_code == 200, response.text
        profile = response.json()
        assert (profile["email"], profile["email_verified"]) == (new_email, False)
        assert profile["notification_preferences"] == {
            "email_notifications": False, "sms_notifications": True, "event_reminders": False,
        }  # fmt: skip
        row = user_row(department, user_id)
        assert row["email_lower"] == new_email.lower()
        (update,) = events(department, "logbook.api.member.updated", user_id)
        assert update["data"]["email"] == new_email
        (entry,) = audit_entries(department, "user_updated", "updated_user_id", user_id)
        assert entry["event_data"]["fields_updated"] == [
            "email", "phone", "notification_preferences",
        ]  # fmt: skip

    def test_an_email_in_use_is_a_409(self, department: Department) -> None:
        taken = created(department)["email"]
        user_id, username = department.add_member("member")
        with department.signed_in(username) as client:
            response = client.patch(
                f"{USERS}/{user_id}/contact-info", json={"email": taken.upper()}
            )
        assert response.status_code == 409
        assert "email" in response.json()["detail"]


class TestRoles:
    def test_put_replaces_the_set_and_the_member_gains_rights_at_once(
        self, department: Department
    ) -> None:
        user_id, username = department.add_member("member")
        quartermaster = role_id(department, "quartermaster")
        with department.signed_in(username) as member:
            assert member.get(f"{USERS}/with-roles").status_code == 403  # cached: members.view
            with department.signed_in(department.admin_username) as admin:
                response = admin.put(f"{USERS}/{user_id}/roles", json={"role_ids": [quartermaster]})
            assert response.status_code == 200, response.text
            assert member.get(f"{USERS}/with-roles").status_code == 200  # users.view now
        body = response.json()
        assert set(body) == {"user_id", "username", "full_name", "roles"}
        assert [r["slug"] for r in body["roles"]] == ["quartermaster"]  # `member` is gone too
        (change,) = events(department, "logbook.api.member.roles_changed", user_id)
        assert change["data"]["role_ids_added"] == [quartermaster]
        assert change["data"]["role_ids_removed"] == [role_id(department, "member")]
        (entry,) = audit_entries(department, "user_role_assigned", "target_user_id", user_id)
        assert entry["event_data"]["action"] == "roles_replaced"

    def test_the_ceiling_covers_the_whole_submitted_list(self, department: Department) -> None:
        user_id, _ = department.add_member("fire_chief")
        _, secretary = department.add_member("secretary")
        resave = [role_id(department, "fire_chief"), role_id(department, "member")]
        with department.signed_in(secretary) as client:
            refused = client.put(f"{USERS}/{user_id}/roles", json={"role_ids": resave})
            invalid = client.put(f"{USERS}/{user_id}/roles", json={"role_ids": [user_id]})
        assert refused.status_code == 403
        assert invalid.status_code == 400
        slugs = department.query(
            "SELECT p.slug FROM user_positions up JOIN positions p ON p.id = up.position_id"
            " WHERE up.user_id = %s",
            db_id(user_id),
        )
        assert [row["slug"] for row in slugs] == ["fire_chief"]

    def test_roles_need_assignment_rights(self, department: Department) -> None:
        user_id, _ = department.add_member("member")
        _, captain = department.add_member("captain")
        with department.signed_in(captain) as client:
            response = client.put(f"{USERS}/{user_id}/roles", json={"role_ids": []})
        assert response.status_code == 403


class TestPhoto:
    def test_an_upload_is_reencoded_to_a_small_webp_without_metadata(
        self, department: Department
    ) -> None:
        user_id, username = department.add_member("member")
        exif = Image.Exif()
        exif[0x010F] = "CameraMaker"  # Make
        upload = image_bytes("JPEG", exif=exif.tobytes())
        with department.signed_in(username) as client:
            response = client.post(
                f"{USERS}/{user_id}/photo", files={"file": ("me.jpg", upload, "image/jpeg")}
            )
        assert response.status_code == 200, response.text
        photo_url = response.json()["photo_url"]
        prefix = "data:image/webp;base64,"
        assert photo_url.startswith(prefix)
        stored = base64.b64decode(photo_url.removeprefix(prefix))
        with Image.open(io.BytesIO(stored)) as image:
            assert image.format == "WEBP"
            assert max(image.size) <= 400
            assert not image.getexif()
        assert b"CameraMaker" not in stored
        assert user_row(department, user_id)["photo_url"] == photo_url
        (entry,) = audit_entries(department, "user_photo_updated", "target_user_id", user_id)
        assert entry["event_data"]["is_self_update"] is True

    def test_png_and_webp_are_accepted_other_content_is_not(self, department: Department) -> None:
        user_id, _ = department.add_member("member")
        path = f"{USERS}/{user_id}/photo"
        with department.signed_in(department.admin_username) as client:
            for kind in ("PNG", "WEBP"):
                upload = image_bytes(kind, (300, 200))
                response = client.post(path, files={"file": ("p.img", upload, "image/png")})
                assert response.status_code == 200, kind
            for name, content in (
                ("fake.jpg", b"not an image at all"),
                ("anim.gif", image_bytes("GIF", (50, 50))),
            ):
                refused = client.post(path, files={"file": (name, content, "image/jpeg")})
                assert (refused.status_code, refused.json()["code"]) == (400, "LB-UPLD-002")
            big = client.post(
                path, files={"file": ("big.jpg", b"\xff" * (5 * 1024 * 1024 + 1), "image/jpeg")}
            )
        assert (big.status_code, big.json()["code"]) == (400, "LB-UPLD-001")

    def test_removal_and_who_may_change_a_photo(self, department: Department) -> None:
        user_id, _ = department.add_member("member")
        _, other = department.add_member("member")
        upload = image_bytes("PNG", (64, 64))
        with department.signed_in(other) as client:
            refused = client.post(
                f"{USERS}/{user_id}/photo", files={"file": ("p.png", upload, "image/png")}
            )
            refused_removal = client.delete(f"{USERS}/{user_id}/photo")
        with department.signed_in(department.admin_username) as client:
            removed = client.delete(f"{USERS}/{user_id}/photo")
        assert refused.status_code == refused_removal.status_code == 403
        assert (removed.status_code, removed.json()) == (200, {"message": "Photo removed"})
        assert user_row(department, user_id)["photo_url"] is None


def test_every_editing_route_refuses_a_request_without_a_session(department: Department) -> None:
    response = department.client().patch(f"{USERS}/{unique()}/profile", json={})
    assert response.status_code == 401
