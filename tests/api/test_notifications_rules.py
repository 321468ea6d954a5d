"""Rules, the send log, the summary and push config (app-shell §2.3 with addendum §5.1)."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from shared.db.types import utc_now
from shared.models import AuditLog, NotificationChannel, NotificationLog, UserPosition
from tests.api.notifications_support import add_notification, ago, other_organization
from tests.api.signed_in import SignedInOrganization, signed_in_organization  # noqa: F401

RULES = "/api/v1/notifications/rules"
LOGS = "/api/v1/notifications/logs"
SUMMARY = "/api/v1/notifications/summary"
REMINDER = {"name": "Event reminders", "trigger": "event_reminder", "category": "events"}


async def create_rule(org: SignedInOrganization, **body: object) -> dict[str, object]:
    response = await org.api.post(RULES, json={**REMINDER, **body}, headers=org.admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


class TestRules:
    async def test_create_answers_the_rule_with_defaults_and_audits_it(
        self, org: SignedInOrganization
    ) -> None:
        rule = await create_rule(org, description="Before each event", config={"x": [24]})
        assert (rule["channel"], rule["enabled"], rule["enforced"]) == ("in_app", True, False)
        assert (rule["config"], rule["organization_id"]) == ({"x": [24]}, str(org.organization_id))
        assert str(rule["created_at"]).endswith("Z")
        async with org.sessions() as session:
            entry = await session.scalar(
                select(AuditLog).where(
                    AuditLog.organization_id == org.organization_id,
                    AuditLog.event_type == "notification_rule_created",
                )
            )
        assert entry is not None
        assert entry.event_data["rule_id"] == rule["id"]

    async def test_bad_enums_and_names_are_422(self, org: SignedInOrganization) -> None:
        for body in (
            {"trigger": "whenever"},
            {"category": "parties"},
            {"channel": "sms"},
            {"name": ""},
            {"name": "x" * 256},
        ):
            response = await org.api.post(RULES, json={**REMINDER, **body}, headers=org.admin)
            assert (response.status_code, response.json()["code"]) == (422, "LB-VAL-001"), body

    async def test_list_filters_search_and_orders_by_name(self, org: SignedInOrganization) -> None:
        await create_rule(org, name="Zulu", description="Weekly DRILL notice")
        await create_rule(org, name="alpha", category="training", trigger="training_expiry")
        await create_rule(org, name="Mike", enabled=False)

        async def names(query: str) -> list[str]:
            response = await org.api.get(f"{RULES}?{query}", headers=org.admin)
            assert response.status_code == 200, response.text
            assert response.json()["total"] == len(response.json()["rules"])
            return [rule["name"] for rule in response.json()["rules"]]

        assert await names("") == ["alpha", "Mike", "Zulu"]
        assert await names("category=training") == ["alpha"]
        assert await names("category=unknown") == ["alpha", "Mike", "Zulu"]
        assert await names("enabled=false") == ["Mike"]
        assert await names("search=drill") == ["Zulu"]
        assert await names("search=%25") == []

    async def test_patch_ignores_nulls_toggle_defaults_on_delete_204(
        self, org: SignedInOrganization
    ) -> None:
        rule = await create_rule(org, description="kept")
        path = f"{RULES}/{rule['id']}"
        patched = await org.api.patch(
            path, json={"name": "Renamed", "description": None}, headers=org.admin
        )
        assert patched.status_code == 200, patched.text
        assert (patched.json()["name"], patched.json()["description"]) == ("Renamed", "kept")
        off = await org.api.post(f"{path}/toggle?enabled=false", headers=org.admin)
        assert (off.status_code, off.json()["enabled"]) == (200, False)
        on = await org.api.post(f"{path}/toggle", headers=org.admin)
        assert on.json()["enabled"] is True
        assert (await org.api.delete(path, headers=org.admin)).status_code == 204
        assert (await org.api.get(path, headers=org.admin)).status_code == 404

    async def test_unknown_and_foreign_rules_are_404(self, org: SignedInOrganization) -> None:
        other = await other_organization(org)
        theirs = await create_rule(other)
        for rule_id in (theirs["id"], uuid.uuid4()):
            path = f"{RULES}/{rule_id}"
            for response in (
                await org.api.get(path, headers=org.admin),
                await org.api.patch(path, json={"name": "Mine"}, headers=org.admin),
                await org.api.post(f"{path}/toggle", headers=org.admin),
                await org.api.delete(path, headers=org.admin),
            ):
                assert (response.status_code, response.json()["code"]) == (404, "LB-API-404")
        listed = (await org.api.get(RULES, headers=org.admin)).json()
        assert listed == {"rules": [], "total": 0}

    async def test_members_view_but_only_managers_change(self, org: SignedInOrganization) -> None:
        rule = await create_rule(org)
        _, member = await org.member()
        assert (await org.api.get(RULES, headers=member)).json()["total"] == 1
        assert (await org.api.get(f"{RULES}/{rule['id']}", headers=member)).status_code == 200
        path = f"{RULES}/{rule['id']}"
        for response in (
            await org.api.post(RULES, json=REMINDER, headers=member),
            await org.api.patch(path, json={"name": "x"}, headers=member),
            await org.api.post(f"{path}/toggle", headers=member),
            await org.api.delete(path, headers=member),
        ):
            assert (response.status_code, response.json()["code"]) == (403, "LB-PERM-001")


class TestSendLog:
    async def test_managers_see_the_organizations_log_newest_first(
        self, org: SignedInOrganization
    ) -> None:
        member, _ = await org.member()
        other = await other_organization(org)
        older = await add_notification(org, member.id, sent_at=ago(hours=1))
        newer = await add_notification(
            org, member.id, channel=NotificationChannel.EMAIL, recipient_email="m@x.example"
        )
        await add_notification(other, (await other.member())[0].id)
        body = (await org.api.get(LOGS, headers=org.admin)).json()
        assert [row["id"] for row in body["logs"]] == [str(newer.id), str(older.id)]
        assert (body["total"], body["skip"], body["limit"]) == (2, 0, 100)
        emails = (await org.api.get(f"{LOGS}?channel=email", headers=org.admin)).json()
        assert [row["id"] for row in emails["logs"]] == [str(newer.id)]
        unknown = (await org.api.get(f"{LOGS}?channel=pigeon", headers=org.admin)).json()
        assert unknown["total"] == 2

    async def test_view_only_members_see_and_mark_only_their_own_rows(
        self, org: SignedInOrganization
    ) -> None:
        member, headers = await org.member()
        other, _ = await org.member()
        mine = await add_notification(org, member.id)
        theirs = await add_notification(org, other.id, subject="Private to them")
        body = (await org.api.get(LOGS, headers=headers)).json()
        assert ([row["id"] for row in body["logs"]], body["total"]) == ([str(mine.id)], 1)
        foreign = await org.api.post(f"{LOGS}/{theirs.id}/read", headers=headers)
        assert foreign.status_code == 404
        marked = await org.api.post(f"{LOGS}/read-all", headers=headers)
        assert (marked.status_code, marked.json()) == (200, {"marked_read": 1})
        async with org.sessions() as session:
            still = await session.scalar(
                select(NotificationLog.read).where(NotificationLog.id == theirs.id)
            )
        assert still is False

    async def test_managers_mark_the_whole_organization_read(
        self, org: SignedInOrganization
    ) -> None:
        member, _ = await org.member()
        entry = await add_notification(org, member.id)
        await add_notification(org, member.id)
        one = await org.api.post(f"{LOGS}/{entry.id}/read", headers=org.admin)
        assert (one.status_code, one.json()["read"]) == (200, True)
        everything = await org.api.post(f"{LOGS}/read-all", headers=org.admin)
        assert everything.json() == {"marked_read": 1}

    async def test_paging_bounds_are_422s(self, org: SignedInOrganization) -> None:
        for query in ("limit=0", "limit=1001", "skip=-1"):
            response = await org.api.get(f"{LOGS}?{query}", headers=org.admin)
            assert response.status_code == 422, query

    async def test_a_member_without_notification_permissions_gets_403(
        self, org: SignedInOrganization
    ) -> None:
        nobody, headers = await org.member()
        async with org.sessions() as session:
            await session.execute(delete(UserPosition).where(UserPosition.user_id == nobody.id))
            await session.commit()
        for path in (LOGS, RULES, SUMMARY):
            response = await org.api.get(path, headers=headers)
            assert (response.status_code, response.json()["code"]) == (403, "LB-PERM-001"), path
        # The inbox has no permission gate: every member has one.
        assert (await org.api.get("/api/v1/notifications/my", headers=headers)).status_code == 200


def _month_start() -> datetime:
    return utc_now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)


class TestSummary:
    async def test_counts_rules_and_this_months_sends_in_app_only(
        self, org: SignedInOrganization
    ) -> None:
        await create_rule(org)
        await create_rule(org, name="Off", enabled=False)
        member, headers = await org.member()
        await add_notification(org, member.id)
        await add_notification(org, member.id, channel=NotificationChannel.EMAIL)
        refused = {"delivered": False, "error": "SMTPRecipientsRefused"}
        await add_notification(org, member.id, channel=NotificationChannel.EMAIL, **refused)
        await add_notification(org, member.id, sent_at=_month_start() - timedelta(seconds=1))
        other = await other_organization(org)
        await add_notification(other, (await other.member())[0].id)
        body = (await org.api.get(SUMMARY, headers=headers)).json()
        assert body["total_rules"] == 2
        assert body["active_rules"] == 1
        assert body["emails_sent_this_month"] == 1
        assert body["notifications_sent_this_month"] == 1


class TestPushConfig:
    async def test_push_is_off_for_any_member_and_needs_sign_in(
        self, org: SignedInOrganization
    ) -> None:
        _, headers = await org.member()
        response = await org.api.get("/api/v1/notifications/push/config", headers=headers)
        assert (response.status_code, response.json()) == (
            200,
            {"enabled": False, "public_key": None},
        )
        anonymous = await org.api.get("/api/v1/notifications/push/config")
        assert anonymous.status_code == 401
