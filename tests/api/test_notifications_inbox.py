"""The member inbox (app-shell spec §2.2): own entries only, read, read-all, pin, unread count.

Issue 11 fix 5: GET /notifications/my/unread-count answered 404 on every page.
"""

import uuid
from datetime import timedelta

from sqlalchemy import select

from shared.db.types import utc_now
from shared.models import NotificationChannel, NotificationLog
from tests.api.notifications_support import INBOX, add_notification, ago
from tests.api.signed_in import SignedInOrganization, signed_in_organization  # noqa: F401


async def unread(org: SignedInOrganization, headers: dict[str, str]) -> int:
    response = await org.api.get(f"{INBOX}/unread-count", headers=headers)
    assert response.status_code == 200, response.text
    return int(response.json()["unread_count"])


async def stored(org: SignedInOrganization, log_id: uuid.UUID) -> NotificationLog:
    async with org.sessions() as session:
        found = await session.scalar(select(NotificationLog).where(NotificationLog.id == log_id))
    assert found is not None
    return found


class TestUnreadCount:
    async def test_counts_own_unread_unexpired_in_app_entries(
        self, org: SignedInOrganization
    ) -> None:
        member, headers = await org.member()
        other, other_headers = await org.member()
        assert await unread(org, other_headers) == 0
        await add_notification(org, member.id)
        await add_notification(org, member.id, expires_at=utc_now() + timedelta(days=1))
        # None of these counts: read, expired, e-mail, someone else's.
        await add_notification(org, member.id, read=True, read_at=utc_now())
        await add_notification(org, member.id, expires_at=ago(seconds=1))
        await add_notification(org, member.id, channel=NotificationChannel.EMAIL)
        await add_notification(org, other.id)
        assert await unread(org, headers) == 2

    async def test_needs_a_signed_in_member(self, org: SignedInOrganization) -> None:
        response = await org.api.get(f"{INBOX}/unread-count")
        assert response.status_code == 401
        assert response.json()["code"] == "LB-AUTH-001"


class TestInboxList:
    async def test_own_in_app_entries_newest_first_in_the_spec_shape(
        self, org: SignedInOrganization
    ) -> None:
        member, headers = await org.member()
        older = await add_notification(
            org, member.id, sent_at=ago(hours=2), action_url="/account", extra_data={"k": 1}
        )
        newer = await add_notification(org, member.id, sent_at=ago(hours=1))
        await add_notification(org, member.id, channel=NotificationChannel.EMAIL)
        await add_notification(org, (await org.member())[0].id)
        response = await org.api.get(INBOX, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["total"], body["skip"], body["limit"]) == (2, 0, 100)
        assert [row["id"] for row in body["logs"]] == [str(newer.id), str(older.id)]
        first = body["logs"][1]
        assert first["sent_at"].endswith("Z")
        assert (first["action_url"], first["metadata"], first["pinned"]) == (
            "/account",
            {"k": 1},
            False,
        )
        assert set(first) == {
            "id", "organization_id", "rule_id", "rule_name", "recipient_id", "recipient_email",
            "recipient_name", "channel", "category", "subject", "message", "action_url",
            "sent_at", "delivered", "read", "pinned", "read_at", "expires_at", "created_at",
            "error", "metadata",
        }  # fmt: skip

    async def test_filters_read_and_expired_unless_asked(self, org: SignedInOrganization) -> None:
        member, headers = await org.member()
        fresh = await add_notification(org, member.id)
        read = await add_notification(org, member.id, read=True, read_at=utc_now())
        expired = await add_notification(org, member.id, expires_at=ago(minutes=1))

        async def ids(query: str) -> set[str]:
            response = await org.api.get(f"{INBOX}?{query}", headers=headers)
            assert response.status_code == 200, response.text
            assert response.json()["total"] == len(response.json()["logs"])
            return {row["id"] for row in response.json()["logs"]}

        assert await ids("") == {str(fresh.id), str(read.id)}
        assert await ids("include_read=false") == {str(fresh.id)}
        assert await ids("include_expired=true") == {str(fresh.id), str(read.id), str(expired.id)}

    async def test_pages_with_skip_and_limit(self, org: SignedInOrganization) -> None:
        member, headers = await org.member()
        for hours in range(5):
            await add_notification(org, member.id, sent_at=ago(hours=hours))
        page = (await org.api.get(f"{INBOX}?skip=3&limit=20", headers=headers)).json()
        assert (page["total"], len(page["logs"]), page["skip"], page["limit"]) == (5, 2, 3, 20)

    async def test_paging_bounds_are_422s(self, org: SignedInOrganization) -> None:
        _, headers = await org.member()
        for query in ("limit=0", "limit=1001", "skip=-1", f"skip={2**64}", "include_read=maybe"):
            response = await org.api.get(f"{INBOX}?{query}", headers=headers)
            assert (response.status_code, response.json()["code"]) == (422, "LB-VAL-001"), query


class TestMarkRead:
    async def test_marks_one_entry_read_and_the_count_drops(
        self, org: SignedInOrganization
    ) -> None:
        member, headers = await org.member()
        entry = await add_notification(org, member.id)
        await add_notification(org, member.id)
        response = await org.api.post(f"{INBOX}/{entry.id}/read", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["read"] is True
        assert response.json()["read_at"].endswith("Z")
        assert (await stored(org, entry.id)).read_at is not None
        assert await unread(org, headers) == 1

    async def test_someone_elses_or_unknown_entry_is_404(self, org: SignedInOrganization) -> None:
        _, headers = await org.member()
        other, _ = await org.member()
        theirs = await add_notification(org, other.id)
        for log_id in (theirs.id, uuid.uuid4()):
            response = await org.api.post(f"{INBOX}/{log_id}/read", headers=headers)
            assert (response.status_code, response.json()["code"]) == (404, "LB-API-404")
        assert (await stored(org, theirs.id)).read is False

    async def test_a_malformed_id_is_422(self, org: SignedInOrganization) -> None:
        _, headers = await org.member()
        response = await org.api.post(f"{INBOX}/not-a-uuid/read", headers=headers)
        assert (response.status_code, response.json()["code"]) == (422, "LB-VAL-001")


class TestReadAll:
    async def test_marks_every_own_unread_in_app_entry_expired_included(
        self, org: SignedInOrganization
    ) -> None:
        member, headers = await org.member()
        other, other_headers = await org.member()
        await add_notification(org, member.id)
        await add_notification(org, member.id, expires_at=ago(days=1))
        await add_notification(org, member.id, read=True, read_at=ago(days=2))
        email = await add_notification(org, member.id, channel=NotificationChannel.EMAIL)
        await add_notification(org, other.id)
        response = await org.api.post(f"{INBOX}/read-all", headers=headers)
        assert (response.status_code, response.json()) == (200, {"marked_read": 2})
        assert await unread(org, headers) == 0
        assert (await stored(org, email.id)).read is False
        assert await unread(org, other_headers) == 1


class TestPin:
    async def test_pinned_is_required_and_sets_the_flag(self, org: SignedInOrganization) -> None:
        member, headers = await org.member()
        entry = await add_notification(org, member.id)
        missing = await org.api.post(f"{INBOX}/{entry.id}/pin", headers=headers)
        assert (missing.status_code, missing.json()["code"]) == (422, "LB-VAL-001")
        pinned = await org.api.post(f"{INBOX}/{entry.id}/pin?pinned=true", headers=headers)
        assert (pinned.status_code, pinned.json()["pinned"]) == (200, True)
        assert (await stored(org, entry.id)).pinned is True
        unpinned = await org.api.post(f"{INBOX}/{entry.id}/pin?pinned=false", headers=headers)
        assert unpinned.json()["pinned"] is False

    async def test_someone_elses_entry_is_404(self, org: SignedInOrganization) -> None:
        _, headers = await org.member()
        theirs = await add_notification(org, (await org.member())[0].id)
        response = await org.api.post(f"{INBOX}/{theirs.id}/pin?pinned=true", headers=headers)
        assert response.status_code == 404
        assert (await stored(org, theirs.id)).pinned is False
