"""The member lifecycle in-process: transitions, lock-out, archive, tiers, deletion."""

from tests.api.members_support import (
    ALLOWED,
    STATUSES,
    USERS,
    audit_entries,
    db_id,
    events,
    set_status,
    unique,
    user_row,
)
from tests.e2e.department import Department


class TestTransitions:
    def test_every_pair_of_the_lifecycle_table(self, department: Department) -> None:
        user_id, _ = department.add_member("member")
        with department.signed_in(department.admin_username) as client:
            for current in STATUSES:
                for wanted in STATUSES:
                    set_status(department, user_id, current)
                    response = client.patch(
                        f"{USERS}/{user_id}/status", json={"new_status": wanted}
                    )
                    pair = (current, wanted)
                    if wanted in ALLOWED[current]:
                        assert response.status_code == 200, (pair, response.text)
                        assert response.json()["new_status"] == wanted
                        assert user_row(department, user_id)["status"] == wanted
                    else:
                        assert response.status_code == 400, pair
                        assert user_row(department, user_id)["status"] == current

    def test_the_refusals_explain_themselves(self, department: Department) -> None:
        user_id, _ = department.add_member("member")
        path = f"{USERS}/{user_id}/status"
        with department.signed_in(department.admin_username) as client:
            unknown = client.patch(path, json={"new_status": "vacation"}).json()["detail"]
            same = client.patch(path, json={"new_status": "active"}).json()["detail"]
            archived = client.patch(path, json={"new_status": "archived"}).json()["detail"]
            set_status(department, user_id, "retired")
            refused = client.patch(path, json={"new_status": "leave"}).json()["detail"]
        assert "vacation" in unknown
        assert all(status in unknown for status in STATUSES)
        assert same == "Member is already active"
        assert "archived" in archived
        assert refused == "Cannot change status from retired to leave. Allowed: active, inactive"

    def test_a_drop_is_recorded_and_published_with_the_return_deadline(
        self, department: Department
    ) -> None:
        user_id, _ = department.add_member("member")
        with department.signed_in(department.admin_username) as client:
            response = client.patch(
                f"{USERS}/{user_id}/status",
                json={
                    "new_status": "dropped_voluntary",
                    "reason": "Moved away",
                    "return_deadline_days": 30,
                },
            )
        assert response.status_code == 200
        body = response.json()
        report = body.pop("property_return_report")  # holdings: tests/api/test_members_inventory.py
        assert body == {
            "user_id": user_id, "previous_status": "active", "new_status": "dropped_voluntary",
            "document_id": None, "email_sent": None,
        }  # fmt: skip
        assert (report["item_count"], report["total_value"]) == (0, 0.0)
        (envelope,) = events(department, "logbook.api.member.status_changed", user_id)
        assert envelope["data"]["return_deadline_days"] == 30
        assert envelope["data"]["reason"] == "Moved away"
        assert envelope["data"]["changed_at"].endswith("Z")
        (entry,) = audit_entries(department, "member_status_changed", "target_user_id", user_id)
        assert entry["severity"] == "warning"
        assert entry["event_data"]["previous_status"] == "active"
        row = user_row(department, user_id)
        assert row["status_change_reason"] == "Moved away"


class TestArchive:
    def test_archived_members_are_listed_and_reactivated_with_their_number(
        self, department: Department
    ) -> None:
        user_id, _ = department.add_member("member")
        number = unique("A-")
        department.query(
            "UPDATE users SET status = 'archived', archived_at = UTC_TIMESTAMP(6),"
            " previous_membership_number = %s, status_change_reason = 'Property returned'"
            " WHERE id = %s",
            number,
            db_id(user_id),
        )
        with department.signed_in(department.admin_username) as client:
            archived = client.get(f"{USERS}/archived").json()
            reactivated = client.post(f"{USERS}/{user_id}/reactivate", json={"reason": "Back"})
            again = client.post(f"{USERS}/{user_id}/reactivate")
        assert archived["organization_id"] == department.organization_id
        listed = next(m for m in archived["members"] if m["user_id"] == user_id)
        assert listed["status_change_reason"] == "Property returned"
        assert archived["archived_count"] == len(archived["members"])
        assert reactivated.status_code == 200
        body = reactivated.json()
        assert (body["previous_status"], body["new_status"]) == ("archived", "active")
        assert body["reason"] == "Back"
        assert body["reactivated_at"].endswith("Z")
        row = user_row(department, user_id)
        assert (row["membership_number"], row["previous_membership_number"]) == (number, None)
        assert row["archived_at"] is None
        assert again.status_code == 400
        (entry,) = audit_entries(department, "member_reactivated", "target_user_id", user_id)
        assert entry["event_data"]["reactivated_by"] is not None


class TestTierAndExemption:
    def test_membership_type_changes_once_and_follows_configured_tiers(
        self, department: Department
    ) -> None:
        user_id, _ = department.add_member("member")
        path = f"{USERS}/{user_id}/membership-type"
        with department.signed_in(department.admin_username) as client:
            changed = client.patch(path, json={"membership_type": "life", "reason": "25 years"})
            same = client.patch(path, json={"membership_type": "life"})
            department.query(
                "UPDATE organizations SET settings = %s WHERE id = %s",
                '{"membership_tiers": {"tiers": [{"id": "active"}, {"id": "senior"}]}}',
                db_id(department.organization_id),
            )
            try:
                unknown = client.patch(path, json={"membership_type": "honorary"})
                known = client.patch(path, json={"membership_type": "senior"})
            finally:
                department.query(
                    "UPDATE organizations SET settings = '{}' WHERE id = %s",
                    db_id(department.organization_id),
                )
        assert changed.status_code == 200
        body = changed.json()
        assert (body["previous_membership_type"], body["new_membership_type"]) == ("active", "life")
        assert same.status_code == 400
        assert (unknown.status_code, known.status_code) == (400, 200)
        (envelope, _) = events(department, "logbook.api.member.membership_type_changed", user_id)
        assert envelope["data"] == {
            "user_id": user_id, "previous_type": "active", "new_type": "life", "reason": "25 years",
        }  # fmt: skip

    def test_compliance_exemption_toggles_and_refuses_no_change(
        self, department: Department
    ) -> None:
        user_id, _ = department.add_member("member")
        path = f"{USERS}/{user_id}/compliance-exempt"
        with department.signed_in(department.admin_username) as client:
            exempted = client.patch(path, json={"exempt": True, "reason": "Medical"})
            again = client.patch(path, json={"exempt": True})
        assert exempted.json()["compliance_exempt"] is True
        assert again.status_code == 400
        (entry,) = audit_entries(
            department, "compliance_exemption_changed", "target_user_id", user_id
        )
        assert entry["severity"] == "warning"
        (envelope,) = events(department, "logbook.api.member.compliance_exemption_changed", user_id)
        assert envelope["data"]["exempt"] is True


class TestDeletion:
    def test_soft_then_hard_delete(self, department: Department) -> None:
        user_id, username = department.add_member("member")
        granted_id, _ = department.add_member("member")
        department.query(
            "UPDATE user_positions SET assigned_by = %s WHERE user_id = %s",
            db_id(user_id),
            db_id(granted_id),
        )
        number = unique("S-")
        department.query(
            "UPDATE users SET membership_number = %s, membership_number_key = %s WHERE id = %s",
            number,
            number.lower(),
            db_id(user_id),
        )
        with department.signed_in(department.admin_username) as client:
            impact = client.get(f"{USERS}/{user_id}/deletion-impact")
            assert client.delete(f"{USERS}/{user_id}").status_code == 204
            assert client.get(f"{USERS}/{user_id}/with-roles").status_code == 404
            assert client.delete(f"{USERS}/{user_id}").status_code == 404
            assert client.get(f"{USERS}/{user_id}/deletion-impact").status_code == 200
            row = user_row(department, user_id)
            assert (row["membership_number"], row["previous_membership_number"]) == (None, number)
            assert row["deleted_at"] is not None
            hard = client.delete(f"{USERS}/{user_id}", params={"hard": "true"})
        assert impact.json() == {
            "user_id": user_id, "full_name": f"Test {username}", "status": "active",
            "training_records": 0, "inventory_items": 0, "documents": 0, "total_records": 0,
        }  # fmt: skip
        assert (hard.status_code, hard.content) == (204, b"")
        assert not department.query("SELECT id FROM users WHERE id = %s", db_id(user_id))
        (grant,) = department.query(
            "SELECT assigned_by FROM user_positions WHERE user_id = %s", db_id(granted_id)
        )
        assert grant["assigned_by"] is None  # the reference is cleared, the assignment stays
        soft, gone = events(department, "logbook.api.member.deleted", user_id)
        assert (soft["data"]["hard"], gone["data"]["hard"]) == (False, True)
        (entry,) = audit_entries(department, "user_hard_deleted", "deleted_user_id", user_id)
        assert entry["severity"] == "critical"
        assert entry["event_data"]["deleted_username"] == username

    def test_nobody_deletes_themselves(self, department: Department) -> None:
        user_id, username = department.add_member("fire_chief")
        with department.signed_in(username) as client:
            response = client.delete(f"{USERS}/{user_id}")
        assert response.status_code == 400
        assert "your own account" in response.json()["detail"]
