"""Frontend error reports (leaves-waivers spec §4) through the in-process api, on real rows."""

import json
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as redis
from sqlalchemy import select

from api.app import create_app as create_api
from api.error_reports.repository import RETENTION_BATCH
from shared.models import ErrorLog, Organization
from shared.settings import Settings, load_settings
from tests.api.signed_in import (  # noqa: F401 - the `org` fixture
    SignedInOrganization,
    signed_in_organization,
)
from tests.support.client import app_client
from tests.support.factories import new_member
from tests.support.inprocess import NO_NATS

LOG = "/api/v1/errors/log"
ERRORS = "/api/v1/errors"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
REPORT_LIMIT = 120


async def stored(org: SignedInOrganization, report_id: str) -> ErrorLog:
    async with org.sessions() as session:
        row = await session.get(ErrorLog, uuid.UUID(report_id))
    assert row is not None
    return row


async def report(org: SignedInOrganization, headers: dict[str, str], **body: Any) -> str:
    response = await org.api.post(LOG, json=body, headers=headers)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == "logged"
    return str(answer["id"])


class TestLogging:
    async def test_an_empty_report_is_kept_with_the_defaults(
        self, org: SignedInOrganization
    ) -> None:
        member, headers = await org.member()
        response = await org.api.post(LOG, json={}, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json() == {"status": "logged", "id": response.json()["id"]}
        row = await stored(org, response.json()["id"])
        assert (row.organization_id, row.user_id) == (org.organization_id, member.id)
        assert (row.error_type, row.error_message, row.user_message) == ("UNKNOWN_ERROR", "", None)
        assert (row.troubleshooting_steps, row.context, row.event_id) == ([], {}, None)

    async def test_a_full_report_is_kept_as_sent_and_logged_with_request_and_member(
        self, org: SignedInOrganization, caplog: pytest.LogCaptureFixture
    ) -> None:
        member, headers = await org.member()
        body = {
            "error_type": "API_SERVER_ERROR",
            "error_message": "HTTP 500: Internal server error",
            "user_message": "Something went wrong.",
            "troubleshooting_steps": ["Reload the page", "Try again later"],
            "context": {"source": "frontend", "page": "/members", "status": 500},
            "event_id": "e" * 100,  # [fix]: the original's column held 36
        }
        with caplog.at_level(logging.INFO):
            response = await org.api.post(LOG, json=body, headers=headers)
        assert response.status_code == 200, response.text
        report_id = response.json()["id"]
        row = await stored(org, report_id)
        assert {key: getattr(row, key) for key in body} == body
        lines = [
            r.msg
            for r in caplog.records
            if isinstance(r.msg, dict) and r.msg.get("event") == "frontend.error_reported"
        ]
        assert len(lines) == 1
        assert lines[0]["report_id"] == report_id
        assert lines[0]["member_id"] == str(member.id)
        assert lines[0]["req_id"] == response.headers["x-request-id"]
        assert member.email not in str(lines[0])
        assert member.username not in str(lines[0])

    async def test_without_a_session_it_is_a_401(self, org: SignedInOrganization) -> None:
        response = await org.api.post(LOG, json={})
        assert response.status_code == 401
        assert response.json()["code"] == "LB-AUTH-001"

    async def test_a_cookie_session_needs_the_csrf_header(self, org: SignedInOrganization) -> None:
        _, headers = await org.member()
        cookies = {"access_token": headers["Authorization"].split()[1], "csrf_token": "abc"}
        org.api.cookies.update(cookies)
        try:
            response = await org.api.post(LOG, json={}, headers=headers)
            assert response.status_code == 403
            assert response.json()["code"] == "LB-AUTH-009"
            response = await org.api.post(LOG, json={}, headers={**headers, "X-CSRF-Token": "abc"})
            assert response.status_code == 200, response.text
        finally:
            org.api.cookies.clear()


class TestBounds:
    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("error_type", "E" * 51),
            ("error_type", ""),
            ("error_message", "m" * 2001),
            ("user_message", "u" * 501),
            ("troubleshooting_steps", ["step"] * 21),
            ("troubleshooting_steps", ["s" * 501]),
            ("troubleshooting_steps", ["s" * 500] * 9),  # 4,500 characters in all
            ("event_id", "e" * 101),
            ("context", ["not", "an", "object"]),
        ],
    )
    async def test_a_field_beyond_its_limit_is_a_422(
        self, org: SignedInOrganization, field: str, value: object
    ) -> None:
        response = await org.api.post(LOG, json={field: value}, headers=org.admin)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "LB-VAL-001"
        async with org.sessions() as session:
            rows = await session.scalars(
                select(ErrorLog).where(ErrorLog.organization_id == org.organization_id)
            )
            assert rows.all() == []

    async def test_the_largest_values_are_kept(self, org: SignedInOrganization) -> None:
        body = {
            "error_type": "E" * 50,
            "error_message": "m" * 2000,
            "user_message": "u" * 500,
            "troubleshooting_steps": ["s" * 204] * 20,  # 4,080 characters
        }
        row = await stored(org, await report(org, org.admin, **body))
        assert {key: getattr(row, key) for key in body} == body

    async def test_an_oversized_context_is_trimmed_longest_strings_first(
        self, org: SignedInOrganization
    ) -> None:
        stack = "\n    at Component (https://app.example.org/assets/index.js:1:2)" * 400
        context = {
            "componentStack": stack,
            "userAgent": "Mozilla/5.0 " + "x" * 300,
            "url": "https://app.example.org/members",
            "occurrences": 3,
        }
        row = await stored(org, await report(org, org.admin, context=context))
        kept = row.context
        assert len(json.dumps(kept, separators=(",", ":"), ensure_ascii=False)) <= 4096
        assert kept["truncated"] is True
        assert kept["url"] == context["url"]
        assert kept["occurrences"] == 3
        assert kept["userAgent"] == context["userAgent"]  # shorter strings stay whole
        assert stack.startswith(kept["componentStack"])
        assert len(kept["componentStack"]) > 3000

    async def test_a_context_of_many_keys_is_reduced_to_the_mark(
        self, org: SignedInOrganization
    ) -> None:
        context = {f"key{i}": i for i in range(2000)}
        row = await stored(org, await report(org, org.admin, context=context))
        assert row.context == {"truncated": True}

    async def test_a_small_context_is_kept_unmarked(self, org: SignedInOrganization) -> None:
        row = await stored(org, await report(org, org.admin, context={"a": "b" * 3000}))
        assert row.context == {"a": "b" * 3000}


class TestNoSecretsKept:
    async def test_tokens_and_passwords_are_redacted_everywhere(
        self, org: SignedInOrganization, caplog: pytest.LogCaptureFixture
    ) -> None:
        secrets = ["tok3nSegment", "KIOSK123", "feedSecret", "hunter2", "s3cr3t", JWT, "opaque99"]
        body = {
            "error_type": "API_SERVER_ERROR",
            "error_message": f"HTTP 500 for Authorization: Bearer {JWT} password=hunter2",
            "user_message": "Reset link /application-status/tok3nSegment failed",
            "troubleshooting_steps": [f"token {JWT}", "Bearer opaque99 was refused"],
            "context": {
                "page": "/finance/approvals/tok3nSegment",
                "path": "/api/v1/event-requests/status/tok3nSegment?x=1",
                "url": "https://app.example.org/display/KIOSK123",
                "feed": "/calendar/feedSecret.ics",
                "password": "hunter2",
                "nested": {"access_token": "s3cr3t", "list": [{"newPassword": "hunter2"}]},
                "query": "next=%2F&token=s3cr3t",
            },
        }
        with caplog.at_level(logging.DEBUG):
            row = await stored(org, await report(org, org.admin, **body))
        kept = json.dumps(
            [row.error_message, row.user_message, row.troubleshooting_steps, row.context]
        )
        logged = "\n".join(r.getMessage() for r in caplog.records)
        for secret in secrets:
            assert secret not in kept, secret
            assert secret not in logged, secret
        assert row.context["page"] == "/finance/approvals/[redacted]"
        assert row.context["path"] == "/api/v1/event-requests/status/[redacted]?x=1"
        assert row.context["url"] == "https://app.example.org/display/[redacted]"
        assert row.context["feed"] == "/calendar/[redacted].ics"
        assert row.context["password"] == "[redacted]"
        assert row.error_message.startswith("HTTP 500 for Authorization: Bearer [redacted]")

    async def test_secrets_used_as_keys_are_redacted_and_no_value_is_lost(
        self, org: SignedInOrganization
    ) -> None:
        context = {
            JWT: "jwt key",
            "[redacted]": "sent as is",  # collides with the redacted JWT key
            "/display/KIOSK123": "kiosk",
            "/display/KIOSK456": "second kiosk",
            "password=hunter2": "secret-named key",
            "nested": {"Bearer opaque99": 1},
            "page": "/members",
        }
        row = await stored(org, await report(org, org.admin, context=context))
        kept = json.dumps(row.context)
        for secret in (JWT, "opaque99", "KIOSK123", "KIOSK456", "hunter2"):
            assert secret not in kept, secret
        assert len(row.context) == len(context)
        assert sorted(map(json.dumps, row.context.values())) == sorted(
            map(
                json.dumps,
                [
                    "jwt key",
                    "sent as is",
                    "kiosk",
                    "second kiosk",
                    "[redacted]",
                    {"Bearer [redacted]": 1},
                    "/members",
                ],
            )
        )
        assert row.context["page"] == "/members"
        assert row.context["password=[redacted]"] == "[redacted]"  # its value too, as before
        assert {"/display/[redacted]", "/display/[redacted]#2"} <= row.context.keys()

    async def test_a_redaction_never_makes_a_field_outgrow_its_column(
        self, org: SignedInOrganization
    ) -> None:
        # "[redacted]" is longer than a short secret: the fields stay within their limits.
        body = {
            "error_type": "E" * 40 + "token=ab12",
            "user_message": "u" * 490 + "pwd=ab12cd",
            "error_message": "m" * 1990 + "token=ab12",
            "troubleshooting_steps": ["s" * 490 + "token=ab12"],
        }
        row = await stored(org, await report(org, org.admin, **body))
        assert row.error_type == ("E" * 40 + "token=[redacted]")[:50]
        assert row.user_message == ("u" * 490 + "pwd=[redacted]")[:500]
        assert row.error_message == ("m" * 1990 + "token=[redacted]")[:2000]
        assert row.troubleshooting_steps == [("s" * 490 + "token=[redacted]")[:500]]

    async def test_ordinary_text_is_left_alone(self, org: SignedInOrganization) -> None:
        body = {
            "error_message": "TypeError: Cannot read properties of undefined (reading 'map')",
            "context": {"page": "/members/3f2a/profile", "method": "GET", "status": 403},
        }
        row = await stored(org, await report(org, org.admin, **body))
        assert (row.error_message, row.context) == (body["error_message"], body["context"])


async def exhaust(api: Any, headers: dict[str, str]) -> None:
    for number in range(REPORT_LIMIT):
        response = await api.post(LOG, json={"error_type": "T"}, headers=headers)
        assert response.status_code == 200, (number, response.text)


class TestRateLimit:
    async def test_the_121st_report_in_a_minute_is_a_429_for_that_member_only(
        self, org: SignedInOrganization
    ) -> None:
        # No Redis configured: the in-process fallback counts. An app of its own, on the test's
        # sessions: the shared app multiplies every limit (RATE_LIMIT_MULTIPLIER).
        settings = org.settings.model_copy(update={"rate_limit_multiplier": 1})
        _, first = await org.member()
        _, second = await org.member()
        async with app_client(create_api(settings, sessionmaker=org.sessions)) as api:
            await exhaust(api, first)
            refused = await api.post(LOG, json={}, headers=first)
            assert refused.status_code == 429
            assert refused.json()["code"] == "LB-API-429"
            assert refused.json()["detail"] == "Too many error reports. Please try again later."
            assert refused.headers["retry-after"] == "60"
            assert (await api.post(LOG, json={}, headers=second)).status_code == 200

    async def test_on_redis_the_limit_holds_per_member(
        self,
        org: SignedInOrganization,
        make_settings: Callable[..., Settings],
        redis_url: str,
    ) -> None:
        # An app of its own with Redis, on the test's sessions (the shared app has none).
        settings = make_settings(nats_url=NO_NATS, redis_url=redis_url)
        member, first = await org.member()
        _, second = await org.member()
        client = redis.Redis.from_url(redis_url)
        await client.delete(f"member:error_reports:{member.id}")
        await client.aclose()
        async with app_client(create_api(settings, sessionmaker=org.sessions)) as api:
            await exhaust(api, first)
            refused = await api.post(LOG, json={}, headers=first)
            assert refused.status_code == 429
            assert refused.json()["detail"] == "Too many error reports. Please try again later."
            assert 1 <= int(refused.headers["retry-after"]) <= 60
            assert (await api.post(LOG, json={}, headers=second)).status_code == 200


async def other_organization_report(org: SignedInOrganization) -> None:
    other = uuid.uuid4()
    async with org.sessions() as session:
        session.add(Organization(id=other, name="Station 12", slug=f"s-{other}"))
        await session.flush()
        stranger = new_member(other)
        session.add(stranger)
        await session.flush()
        session.add(
            ErrorLog(
                organization_id=other,
                user_id=stranger.id,
                error_type="FOREIGN",
                error_message="",
                troubleshooting_steps=[],
                context={},
                event_id="shared-event",
            )
        )
        await session.commit()


class TestReading:
    async def test_the_list_is_newest_first_filtered_paged_and_of_the_organization_only(
        self, org: SignedInOrganization
    ) -> None:
        await other_organization_report(org)
        member, headers = await org.member()
        ids = [
            await report(org, headers, error_type=kind, event_id="shared-event")
            for kind in ("A", "B", "A")
        ]
        _, officer = await org.member("vice_president")  # audit.view without settings.manage
        response = await org.api.get(ERRORS, headers=officer)
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["total"] == 3
        assert [e["id"] for e in page["errors"]] == ids[::-1]
        newest = await stored(org, ids[2])
        assert page["errors"][0] == {
            "id": ids[2],
            "user_id": str(member.id),
            "error_type": "A",
            "error_message": "",
            "user_message": None,
            "troubleshooting_steps": [],
            "context": {},
            "event_id": "shared-event",
            "created_at": newest.created_at.isoformat().replace("+00:00", "Z"),
        }
        typed = (await org.api.get(ERRORS, params={"error_type": "A"}, headers=officer)).json()
        assert (typed["total"], [e["id"] for e in typed["errors"]]) == (2, [ids[2], ids[0]])
        paged = (await org.api.get(ERRORS, params={"skip": 1, "limit": 1}, headers=officer)).json()
        assert (paged["total"], [e["id"] for e in paged["errors"]]) == (3, [ids[1]])
        by_event = await org.api.get(ERRORS, params={"event_id": "shared-event"}, headers=officer)
        assert by_event.json()["total"] == 3

    async def test_the_stats_count_by_type_with_the_five_newest(
        self, org: SignedInOrganization
    ) -> None:
        await other_organization_report(org)
        ids = [await report(org, org.admin, error_type=kind) for kind in "ABABAAB"]
        response = await org.api.get(f"{ERRORS}/stats", headers=org.admin)
        assert response.status_code == 200, response.text
        stats = response.json()
        assert (stats["total"], stats["by_type"]) == (7, {"A": 4, "B": 3})
        assert [e["id"] for e in stats["recent_errors"]] == ids[::-1][:5]

    @pytest.mark.parametrize(
        "params",
        [{"limit": 0}, {"limit": 501}, {"skip": -1}, {"error_type": "x" * 51}, {"event_id": "\n"}],
    )
    async def test_bad_query_parameters_are_a_422(
        self, org: SignedInOrganization, params: dict[str, object]
    ) -> None:
        response = await org.api.get(ERRORS, params=params, headers=org.admin)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "LB-VAL-001"

    async def test_reading_needs_audit_view(self, org: SignedInOrganization) -> None:
        _, member = await org.member()
        for path in (ERRORS, f"{ERRORS}/stats"):
            response = await org.api.get(path, headers=member)
            assert response.status_code == 403, path
            assert response.json()["code"] == "LB-PERM-001"

    async def test_clearing_and_exporting_are_not_served_yet(
        self, org: SignedInOrganization
    ) -> None:
        export = await org.api.get(f"{ERRORS}/export", headers=org.admin)
        assert (export.status_code, export.json()["code"]) == (404, "LB-API-404")
        clear = await org.api.delete(ERRORS, headers=org.admin)
        assert (clear.status_code, clear.json()["code"]) == (405, "LB-API-405")


class TestCodes:
    async def test_any_member_reads_the_catalogue(self, org: SignedInOrganization) -> None:
        _, member = await org.member()
        response = await org.api.get(f"{ERRORS}/codes", headers=member)
        assert response.status_code == 200, response.text
        codes = {entry["code"]: entry for entry in response.json()["codes"]}
        assert codes["LB-PERM-001"] == {
            "code": "LB-PERM-001",
            "category": "PERM",
            "title": "Insufficient permissions",
            "description": "The caller lacks every permission the route accepts.",
            "resolution": [
                "Ask an administrator of your department for the permission this page needs."
            ],
        }
        assert codes["LB-API-404"]["category"] == "API"
        assert codes["LB-API-404"]["title"] == "Not Found"
        assert all(entry["resolution"] for entry in codes.values())

    async def test_without_a_session_it_is_a_401(self, org: SignedInOrganization) -> None:
        assert (await org.api.get(f"{ERRORS}/codes")).status_code == 401


async def old_report(
    org: SignedInOrganization, organization_id: uuid.UUID, age: timedelta, error_type: str
) -> ErrorLog:
    row = ErrorLog(
        organization_id=organization_id,
        user_id=None,
        error_type=error_type,
        error_message="",
        troubleshooting_steps=[],
        context={},
        created_at=datetime.now(UTC) - age,
    )
    async with org.sessions() as session:
        session.add(row)
        await session.commit()
    return row


async def kept_types(org: SignedInOrganization, organization_id: uuid.UUID) -> list[str]:
    async with org.sessions() as session:
        rows = await session.scalars(
            select(ErrorLog.error_type).where(ErrorLog.organization_id == organization_id)
        )
        return sorted(rows)


class TestRetention:
    async def test_a_new_report_deletes_the_organizations_reports_past_the_retention(
        self, org: SignedInOrganization
    ) -> None:
        other = uuid.uuid4()
        async with org.sessions() as session:
            session.add(Organization(id=other, name="Station 12", slug=f"s-{other}"))
            await session.commit()
        await old_report(org, org.organization_id, timedelta(days=181), "EXPIRED")
        await old_report(org, org.organization_id, timedelta(days=179), "KEPT")
        await old_report(org, other, timedelta(days=400), "FOREIGN")
        await report(org, org.admin, error_type="NEW")
        assert await kept_types(org, org.organization_id) == ["KEPT", "NEW"]
        assert await kept_types(org, other) == ["FOREIGN"]  # another organization's rows stay

    async def test_one_report_deletes_at_most_a_batch_of_expired_reports(
        self, org: SignedInOrganization
    ) -> None:
        expired = [
            ErrorLog(
                organization_id=org.organization_id,
                error_type="EXPIRED",
                error_message="",
                troubleshooting_steps=[],
                context={},
                created_at=datetime.now(UTC) - timedelta(days=200, minutes=n),
            )
            for n in range(RETENTION_BATCH + 2)
        ]
        async with org.sessions() as session:
            session.add_all(expired)
            await session.commit()
        await report(org, org.admin, error_type="NEW")
        assert await kept_types(org, org.organization_id) == ["EXPIRED"] * 2 + ["NEW"]
        await report(org, org.admin, error_type="NEW")
        assert await kept_types(org, org.organization_id) == ["NEW"] * 2

    async def test_the_retention_is_a_setting_of_at_least_30_days(
        self,
        monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        monkeypatch.chdir(tmp_path)  # no .env
        assert load_settings().error_report_retention_days == 180
        monkeypatch.setenv("ERROR_REPORT_RETENTION_DAYS", "30")
        assert load_settings().error_report_retention_days == 30
        monkeypatch.setenv("ERROR_REPORT_RETENTION_DAYS", "29")
        with pytest.raises(SystemExit) as stopped:
            load_settings()
        assert stopped.value.code == 78
        assert "invalid setting ERROR_REPORT_RETENTION_DAYS" in capsys.readouterr().err

    async def test_a_shorter_retention_deletes_sooner(self, org: SignedInOrganization) -> None:
        await old_report(org, org.organization_id, timedelta(days=31), "EXPIRED")
        await old_report(org, org.organization_id, timedelta(days=29), "KEPT")
        # An app of its own with the shorter retention, on the test's sessions.
        settings = org.settings.model_copy(update={"error_report_retention_days": 30})
        async with app_client(create_api(settings, sessionmaker=org.sessions)) as api:
            response = await api.post(LOG, json={"error_type": "NEW"}, headers=org.admin)
            assert response.status_code == 200, response.text
        assert await kept_types(org, org.organization_id) == ["KEPT", "NEW"]
