"""Password reset by mailed link and administrators' resets, through the gateway (spec/auth.md
§2.9, §2.11): the real platform, a cookie jar, and a small SMTP server standing in for mail."""

import hashlib
import json
import re
import sqlite3
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from shared.mailer import Mailer, ResetMail
from shared.settings import Settings
from tests.e2e.auth_platform import (
    DOMAIN,
    FRONTEND_URL,
    MAIL_FROM,
    MAIL_WAIT_SECONDS,
    PASSWORD,
    AuthPlatform,
    SmtpSink,
    add_admin,
    text_of,
)
from tests.e2e.stack import Stack
from tests.e2e.test_auth_flow import csrf_headers, sign_in

pytestmark = pytest.mark.e2e
NEW_PASSWORD = "Hose-Tender-Four#61"
RESET_LINK_PATH = "/reset-password#token="
RESET_LINK = re.compile(r"\S+/reset-password#token=\S+")


@dataclass
class Site:
    """The worker's auth platform: its stack, its database file and its mail."""

    stack: Stack
    database: Path
    sink: SmtpSink

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.stack.gateway, timeout=15)

    def sql(self, statement: str, *params: object) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.database) as db:
            return db.execute(statement, params).fetchall()


@dataclass(frozen=True)
class Member:
    username: str
    email: str
    id: str


@pytest.fixture(scope="module")
def site(auth_platform: AuthPlatform) -> Site:
    """The platform mails through an SMTP sink, so every reset link is read from its mail."""
    return Site(auth_platform.stack, auth_platform.database, auth_platform.sink)


def new_member(site: Site, prefix: str = "m") -> Member:
    """Another member (IT Manager and Member roles, as create-admin makes them)."""
    username = f"{prefix}{uuid.uuid4().hex[:10]}"
    add_admin(site.database, username)
    ((hex_id,),) = site.sql("SELECT id FROM users WHERE username = ?", username)
    return Member(username, f"{username}@{DOMAIN}", str(uuid.UUID(str(hex_id))))


def forgot(site: Site, address: str) -> httpx.Response:
    return httpx.post(
        f"{site.stack.gateway}/api/v1/auth/forgot-password", json={"email": address}, timeout=15
    )


def post(site: Site, path: str, body: dict[str, object]) -> httpx.Response:
    return httpx.post(f"{site.stack.gateway}/api/v1/auth/{path}", json=body, timeout=15)


def mailed_links(site: Site, member: Member, count: int = 1) -> list[str]:
    """The reset links mailed to a member (mail goes out after the answer)."""
    mails = site.sink.to(member.email, count, containing=RESET_LINK_PATH)
    return [found.group(0) for mail in mails if (found := RESET_LINK.search(text_of(mail)))]


def reset_token(site: Site, member: Member) -> str:
    assert forgot(site, member.email).status_code == 200
    links = mailed_links(site, member)
    assert len(links) == 1, links
    return links[0].split("#token=", 1)[1]


class TestForgotPassword:
    def test_every_address_gets_the_same_answer(self, site: Site) -> None:
        member, inactive = new_member(site), new_member(site)
        site.sql("UPDATE users SET status = 'suspended' WHERE username = ?", inactive.username)
        answers = [
            forgot(site, member.email),
            forgot(site, member.email.upper()),  # a live link already exists: no second one
            forgot(site, f"nobody-{uuid.uuid4().hex[:6]}@{DOMAIN}"),
            forgot(site, inactive.email),
        ]
        assert {r.status_code for r in answers} == {200}
        assert len({r.text for r in answers}) == 1
        assert "message" in answers[0].json()
        issued = "SELECT COUNT(*) FROM password_reset_tokens WHERE user_id = ?"
        assert site.sql(issued, uuid.UUID(member.id).hex) == [(1,)]
        assert site.sql(issued, uuid.UUID(inactive.id).hex) == [(0,)]
        assert len(mailed_links(site, member)) == 1

    def test_the_link_opens_the_reset_page_and_only_a_hash_is_stored(self, site: Site) -> None:
        member = new_member(site)
        assert forgot(site, member.email).status_code == 200
        (link,) = mailed_links(site, member)
        prefix, token = link.split("#token=", 1)
        assert prefix == f"{FRONTEND_URL}reset-password"
        assert re.fullmatch(r"[A-Za-z0-9_-]{64}", token)
        stored = site.sql(
            "SELECT token_hash, expires_at, created_at, used_at FROM password_reset_tokens"
            " WHERE user_id = ?",
            uuid.UUID(member.id).hex,
        )
        assert len(stored) == 1
        token_hash, expires_at, created_at, used_at = stored[0]
        assert token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert used_at is None
        lifetime = datetime.fromisoformat(str(expires_at)) - datetime.fromisoformat(str(created_at))
        assert lifetime == timedelta(minutes=30)

    def test_a_malformed_address_is_422(self, site: Site) -> None:
        response = forgot(site, "not-an-address")
        assert (response.status_code, response.json()["code"]) == (422, "LB-VAL-001")


class TestResetPassword:
    def test_a_link_sets_the_password_and_ends_every_session(self, site: Site) -> None:
        member = new_member(site)
        with site.client() as old_device:
            assert sign_in(old_device, member.username).status_code == 200
            token = reset_token(site, member)
            validated = post(site, "validate-reset-token", {"token": token})
            assert (validated.status_code, validated.json()) == (200, {"valid": True})
            done = post(site, "reset-password", {"token": token, "new_password": NEW_PASSWORD})
            assert done.status_code == 200
            assert "set-cookie" not in done.headers  # a reset never signs in
            refused = old_device.get("/api/v1/auth/me")
            assert (refused.status_code, refused.json()["code"]) == (401, "LB-AUTH-002")
        with site.client() as client:
            assert sign_in(client, member.username, PASSWORD).status_code == 401
            signed_in = sign_in(client, member.username, NEW_PASSWORD)
        assert signed_in.status_code == 200
        assert signed_in.json()["user"]["must_change_password"] is False
        again = post(site, "reset-password", {"token": token, "new_password": "Other-Pass#9753"})
        assert (again.status_code, again.json()["code"]) == (400, "LB-API-400")
        assert post(site, "validate-reset-token", {"token": token}).status_code == 400

    def test_a_weak_password_is_refused_and_the_link_stays_usable(self, site: Site) -> None:
        member = new_member(site)
        token = reset_token(site, member)
        weak = post(site, "reset-password", {"token": token, "new_password": "aaaaaaaaaaaa"})
        assert (weak.status_code, weak.json()["code"]) == (400, "LB-API-400")
        assert "Password has" in weak.json()["detail"]
        assert post(site, "validate-reset-token", {"token": token}).status_code == 200
        good = post(site, "reset-password", {"token": token, "new_password": NEW_PASSWORD})
        assert good.status_code == 200

    def test_a_recent_password_is_refused(self, site: Site) -> None:
        member = new_member(site)
        token = reset_token(site, member)
        assert (
            post(site, "reset-password", {"token": token, "new_password": NEW_PASSWORD}).status_code
            == 200
        )
        assert forgot(site, member.email).status_code == 200
        second = mailed_links(site, member, count=2)[-1].split("#token=", 1)[1]
        reused = post(site, "reset-password", {"token": second, "new_password": PASSWORD})
        assert reused.status_code == 400
        assert "used recently" in reused.json()["detail"]

    def test_an_expired_link_is_refused_with_its_validity(self, site: Site) -> None:
        member = new_member(site)
        token = reset_token(site, member)
        site.sql(
            "UPDATE password_reset_tokens SET expires_at = '2020-01-01 00:00:00.000000'"
            " WHERE token_hash = ?",
            hashlib.sha256(token.encode()).hexdigest(),
        )
        assert post(site, "validate-reset-token", {"token": token}).status_code == 400
        expired = post(site, "reset-password", {"token": token, "new_password": NEW_PASSWORD})
        assert (expired.status_code, expired.json()["code"]) == (400, "LB-API-400")
        assert "30 minutes" in expired.json()["detail"]
        with site.client() as client:
            assert sign_in(client, member.username, PASSWORD).status_code == 200

    @pytest.mark.parametrize("token", ["x" * 257, "not-a-token", "A" * 64])
    def test_unknown_tokens_get_one_generic_400(self, site: Site, token: str) -> None:
        checked = post(site, "validate-reset-token", {"token": token})
        used = post(site, "reset-password", {"token": token, "new_password": NEW_PASSWORD})
        assert (checked.status_code, used.status_code) == (400, 400)
        assert checked.json()["detail"] == used.json()["detail"]

    def test_an_empty_token_is_422(self, site: Site) -> None:
        response = post(site, "validate-reset-token", {"token": ""})
        assert (response.status_code, response.json()["code"]) == (422, "LB-VAL-001")


def admin_post(client: httpx.Client, user_id: str, action: str, **body: object) -> httpx.Response:
    return client.post(
        f"/api/v1/users/{user_id}/{action}",
        headers=csrf_headers(client),
        json=body if action == "reset-password" else None,
    )


def grant_only(site: Site, member: Member, permissions: str) -> None:
    """Replace the member's IT Manager role by a role with just these permissions (JSON)."""
    ((org_id,),) = site.sql("SELECT organization_id FROM users WHERE username = ?", member.username)
    position_id = uuid.uuid4().hex
    site.sql(
        "INSERT INTO positions (id, organization_id, name, slug, permissions, is_system, priority,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, 50, '2026-01-01 00:00:00',"
        " '2026-01-01 00:00:00')",
        position_id,
        org_id,
        f"Role {position_id[:6]}",
        f"role_{position_id[:6]}",
        permissions,
    )
    site.sql(
        "DELETE FROM user_positions WHERE user_id = ? AND position_id IN"
        " (SELECT id FROM positions WHERE slug = 'it_manager')",
        uuid.UUID(member.id).hex,
    )
    site.sql(
        "INSERT INTO user_positions (user_id, position_id, assigned_at)"
        " VALUES (?, ?, '2026-01-01 00:00:00')",
        uuid.UUID(member.id).hex,
        position_id,
    )


class TestAdminResetPassword:
    def test_it_ends_the_members_sessions_and_forces_a_change(self, site: Site) -> None:
        member = new_member(site)
        with site.client() as admin, site.client() as device:
            assert sign_in(device, member.username).status_code == 200
            assert sign_in(admin).status_code == 200
            response = admin_post(admin, member.id, "reset-password", new_password=NEW_PASSWORD)
            assert response.status_code == 200
            assert set(response.json()) == {"message"}
            assert device.get("/api/v1/auth/me").status_code == 401
            assert admin.get("/api/v1/auth/me").status_code == 200
        with site.client() as client:
            assert sign_in(client, member.username, PASSWORD).status_code == 401
            signed_in = sign_in(client, member.username, NEW_PASSWORD)
        assert signed_in.status_code == 200
        assert signed_in.json()["user"]["must_change_password"] is True

    def test_without_force_change_the_member_keeps_the_password(self, site: Site) -> None:
        member = new_member(site)
        with site.client() as admin:
            sign_in(admin)
            response = admin_post(
                admin, member.id, "reset-password", new_password=NEW_PASSWORD, force_change=False
            )
        assert response.status_code == 200
        with site.client() as client:
            signed_in = sign_in(client, member.username, NEW_PASSWORD)
        assert signed_in.json()["user"]["must_change_password"] is False

    def test_a_member_without_permission_is_403(self, site: Site) -> None:
        caller, target = new_member(site), new_member(site)
        grant_only(site, caller, '["training.manage"]')
        with site.client() as client:
            assert sign_in(client, caller.username).status_code == 200
            password = admin_post(client, target.id, "reset-password", new_password=NEW_PASSWORD)
            mfa = admin_post(client, target.id, "reset-mfa")
        for response in (password, mfa):
            assert response.status_code == 403
            assert response.json() == {
                "detail": "Insufficient permissions",
                "code": "LB-PERM-001",
                "request_id": response.json()["request_id"],
            }

    def test_a_member_with_permissions_beyond_the_callers_is_403(self, site: Site) -> None:
        caller, target = new_member(site), new_member(site)
        grant_only(site, caller, '["members.manage"]')
        with site.client() as client:
            assert sign_in(client, caller.username).status_code == 200
            response = admin_post(client, target.id, "reset-password", new_password=NEW_PASSWORD)
        assert (response.status_code, response.json()["code"]) == (403, "LB-PERM-001")
        with site.client() as client:
            assert sign_in(client, target.username, PASSWORD).status_code == 200

    def test_self_unknown_and_malformed_ids(self, site: Site) -> None:
        ((chief_hex,),) = site.sql("SELECT id FROM users WHERE username = 'chief'")
        with site.client() as admin:
            sign_in(admin)
            own = admin_post(
                admin, str(uuid.UUID(str(chief_hex))), "reset-password", new_password=NEW_PASSWORD
            )
            unknown = admin_post(
                admin, str(uuid.uuid4()), "reset-password", new_password=NEW_PASSWORD
            )
            malformed = admin_post(admin, "not-a-uuid", "reset-password", new_password=NEW_PASSWORD)
            weak = admin_post(
                admin, new_member(site).id, "reset-password", new_password="aaaaaaaaaaaa"
            )
        assert (own.status_code, own.json()["code"]) == (400, "LB-API-400")
        assert (unknown.status_code, unknown.json()["code"]) == (404, "LB-API-404")
        assert (malformed.status_code, malformed.json()["code"]) == (422, "LB-VAL-001")
        assert (weak.status_code, weak.json()["code"]) == (400, "LB-API-400")

    def test_without_a_session_it_is_401(self, site: Site) -> None:
        response = httpx.post(
            f"{site.stack.gateway}/api/v1/users/{uuid.uuid4()}/reset-password",
            json={"new_password": NEW_PASSWORD},
        )
        assert (response.status_code, response.json()["code"]) == (401, "LB-AUTH-001")


class TestAdminResetMfa:
    def test_a_member_without_mfa_is_400(self, site: Site) -> None:
        member = new_member(site)
        with site.client() as admin:
            sign_in(admin)
            response = admin_post(admin, member.id, "reset-mfa")
        assert (response.status_code, response.json()["code"]) == (400, "LB-API-400")

    def test_it_turns_mfa_off_and_ends_the_members_sessions(self, site: Site) -> None:
        member = new_member(site)
        with site.client() as admin, site.client() as device:
            assert sign_in(device, member.username).status_code == 200
            site.sql(
                "UPDATE users SET mfa_enabled = 1, mfa_secret = 'sealed', mfa_last_timestep = 7"
                " WHERE username = ?",
                member.username,
            )
            sign_in(admin)
            response = admin_post(admin, member.id, "reset-mfa")
            assert response.status_code == 200
            assert device.get("/api/v1/auth/me").status_code == 401
        assert site.sql(
            "SELECT mfa_enabled, mfa_secret, mfa_last_timestep FROM users WHERE username = ?",
            member.username,
        ) == [(0, None, None)]


def events(site: Site, member: Member, verb: str) -> list[dict[str, Any]]:
    """The outbox envelopes of one subject about one member, oldest first."""
    rows = site.sql(
        "SELECT payload FROM outbox WHERE subject = ? ORDER BY created_at", f"logbook.auth.{verb}"
    )
    envelopes = [json.loads(str(payload, "utf-8")) for (payload,) in rows]
    return [e for e in envelopes if e["data"]["user_id"] == member.id]


class TestEvents:
    def test_a_reset_by_link_is_announced_without_the_address_or_token(self, site: Site) -> None:
        member = new_member(site)
        token = reset_token(site, member)
        post(site, "reset-password", {"token": token, "new_password": "aaaaaaaaaaaa"})
        post(site, "reset-password", {"token": token, "new_password": NEW_PASSWORD})
        (requested,) = events(site, member, "password_reset.requested")
        assert (
            requested["data"]["email_sha256"] == hashlib.sha256(member.email.encode()).hexdigest()
        )
        assert requested["data"]["token_issued"] is True
        assert [e["data"]["reason"] for e in events(site, member, "password_reset.failed")] == [
            "policy"
        ]
        (changed,) = events(site, member, "password.changed")
        assert changed["data"]["method"] == "reset_token"
        (revoked,) = events(site, member, "session.revoked")
        assert revoked["data"]["reason"] == "password_reset"
        payloads = json.dumps(site.sql("SELECT CAST(payload AS TEXT) FROM outbox"))
        assert member.email not in payloads
        assert token not in payloads

    def test_admin_resets_are_announced_with_the_administrator_as_actor(self, site: Site) -> None:
        member = new_member(site)
        site.sql("UPDATE users SET mfa_enabled = 1 WHERE username = ?", member.username)
        ((chief_hex,),) = site.sql("SELECT id FROM users WHERE username = 'chief'")
        with site.client() as admin:
            sign_in(admin)
            admin_post(admin, member.id, "reset-password", new_password=NEW_PASSWORD)
            admin_post(admin, member.id, "reset-mfa")
        (changed,) = events(site, member, "password.changed")
        assert (changed["data"]["method"], changed["data"]["force_change"]) == ("admin", True)
        assert changed["actor_id"] == str(uuid.UUID(str(chief_hex)))
        (disabled,) = events(site, member, "mfa.disabled")
        assert disabled["data"]["by_admin"] is True
        reasons = [e["data"]["reason"] for e in events(site, member, "session.revoked")]
        assert reasons == ["admin_password_reset", "admin_mfa_reset"]


class TestMail:
    def test_the_link_is_mailed_and_never_logged(self, site: Site) -> None:
        member = new_member(site)
        assert forgot(site, member.email).status_code == 200
        (message,) = site.sink.to(member.email, containing=RESET_LINK_PATH)
        assert message["To"] == member.email
        assert message["From"] == MAIL_FROM
        body = message.get_body(("plain",))
        assert body is not None
        found = re.search(
            rf"https://logbook\.{re.escape(DOMAIN)}/reset-password#token=([A-Za-z0-9_-]{{64}})",
            body.get_content(),
        )
        assert found is not None
        token = found.group(1)
        assert post(site, "validate-reset-token", {"token": token}).status_code == 200
        logs = site.stack.log_path.read_text() + site.stack.out_path.read_text()
        assert token not in logs
        assert "auth.reset_link_dev" not in logs
        assert any(line.get("event") == "auth.reset_mail_sent" for line in site.stack.json_lines())

    def test_a_refused_mail_is_logged_and_the_answer_is_unchanged(self, site: Site) -> None:
        bounced = new_member(site, prefix="bounce")
        unknown = forgot(site, f"nobody-{uuid.uuid4().hex[:6]}@{DOMAIN}")
        response = forgot(site, bounced.email)
        assert (response.status_code, response.text) == (200, unknown.text)
        deadline = time.monotonic() + MAIL_WAIT_SECONDS
        while time.monotonic() < deadline:
            failures = [
                line
                for line in site.stack.json_lines()
                if line.get("event") == "auth.reset_mail_failed"
                and line.get("user_id") == bounced.id
            ]
            if failures:
                break
            time.sleep(0.2)
        assert failures
        assert failures[0]["error"] == "SMTPRecipientsRefused"


class TestMailerWithoutSmtp:
    async def test_only_development_logs_the_link(self) -> None:
        mail = ResetMail("u-1", f"a@{DOMAIN}", "https://x.example/reset-password#token=secret")
        # One capture for both: the logger is cached on first use (cache_logger_on_first_use).
        with capture_logs() as logs:
            await Mailer(Settings(environment="production")).send_reset_link(mail)
            await Mailer(Settings(environment="development")).send_reset_link(mail)
        assert [line["event"] for line in logs] == [
            "auth.mail_not_configured",
            "auth.reset_link_dev",
        ]
        assert "secret" not in repr(logs[0])
        assert logs[1]["link"] == mail.link
