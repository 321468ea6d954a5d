"""Two-factor sign-in and its management, through the gateway (spec/auth.md §2.2, §2.10, §4)."""

import hashlib
import json
import re
import secrets
import sqlite3
import time
import uuid
from typing import Any
from urllib.parse import quote

import httpx
import jwt
import pyotp
import pytest

from tests.e2e.auth_platform import PASSWORD, SECRET_KEY, AuthPlatform, add_admin
from tests.e2e.test_auth_flow import browser, csrf_headers, set_cookies, sign_in

pytestmark = pytest.mark.e2e
MFA = "/api/v1/auth/mfa"
RECOVERY_CODE = re.compile(r"^[0-9a-f]{5}-[0-9a-f]{5}-[0-9a-f]{5}-[0-9a-f]{5}$")


@pytest.fixture(scope="module")
def platform(auth_platform: AuthPlatform) -> AuthPlatform:
    """The worker's auth platform: it signs with SECRET_KEY, so the tests can forge challenge
    tokens, and its limits are wide (the MFA routes share the 5-per-minute login bucket)."""
    return auth_platform


def new_member(platform: AuthPlatform, *, admin: bool = True) -> str:
    """A member (IT Manager and Member roles; only Member with `admin=False`)."""
    username = f"m{uuid.uuid4().hex[:10]}"
    add_admin(platform.database, username)
    if not admin:
        with sqlite3.connect(platform.database) as db:
            db.execute(
                "DELETE FROM user_positions"
                " WHERE user_id = (SELECT id FROM users WHERE username = ?)"
                " AND position_id IN (SELECT id FROM positions WHERE slug = 'it_manager')",
                (username,),
            )
    return username


def post(client: httpx.Client, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
    return client.post(f"{MFA}{path}", json=body, headers=csrf_headers(client))


def enrol(client: httpx.Client) -> tuple[pyotp.TOTP, list[str]]:
    """Setup and verify-setup with a real code; returns the authenticator and recovery codes."""
    setup = post(client, "/setup")
    assert setup.status_code == 200, setup.text
    totp = pyotp.TOTP(setup.json()["secret"])
    verified = post(client, "/verify-setup", {"code": totp.now()})
    assert verified.status_code == 200, verified.text
    return totp, verified.json()["recovery_codes"]


def enrolled_member(
    platform: AuthPlatform, *, admin: bool = True
) -> tuple[str, pyotp.TOTP, list[str]]:
    """A member with MFA on, signed out again."""
    username = new_member(platform, admin=admin)
    with browser(platform) as client:
        assert sign_in(client, username).status_code == 200
        totp, codes = enrol(client)
    return username, totp, codes


def challenge(client: httpx.Client, username: str) -> str:
    """The password step of an MFA member: the challenge token."""
    response = sign_in(client, username)
    assert response.status_code == 200, response.text
    assert response.json()["mfa_required"] is True
    token: str = response.json()["mfa_token"]
    return token


def mfa_login(client: httpx.Client, token: str, **body: str) -> httpx.Response:
    return client.post(f"{MFA}/login", json={"temp_token": token, **body})


def forge(user_id: str, *, key: str = SECRET_KEY, kind: str = "mfa_pending", ttl: int = 300) -> str:
    now = int(time.time())
    claims = {"sub": user_id, "type": kind, "iat": now, "exp": now + ttl}
    return jwt.encode(claims, key, algorithm="HS256")


def user_id(platform: AuthPlatform, username: str) -> str:
    with sqlite3.connect(platform.database) as db:
        (raw,) = db.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()
    return str(uuid.UUID(raw))


def bad_challenge(platform: AuthPlatform, kind: str) -> str:
    """A challenge token `/mfa/login` must refuse."""
    if kind in ("garbage", "empty"):
        return "not-a-token" if kind == "garbage" else ""
    if kind == "unknown":
        return forge(str(uuid.uuid4()))
    if kind == "mfa_off":  # a well-signed token for a member without MFA
        return forge(user_id(platform, new_member(platform)))
    enrolled = user_id(platform, enrolled_member(platform)[0])
    if kind == "expired":
        return forge(enrolled, ttl=-10)
    if kind == "wrong_key":
        return forge(enrolled, key=secrets.token_urlsafe(48))
    return forge(enrolled, kind="access")


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert (response.status_code, response.json()["code"]) == (status, code), response.text


class TestEnrolment:
    def test_setup_gives_a_secret_and_its_otpauth_uri(self, platform: AuthPlatform) -> None:
        username = new_member(platform)
        with browser(platform) as client:
            sign_in(client, username)
            setup = post(client, "/setup")
            status = client.get(f"{MFA}/status")
        assert setup.status_code == 200
        secret = setup.json()["secret"]
        assert re.fullmatch(r"[A-Z2-7]{32}", secret)
        email = quote(f"{username}@station9.example.org")
        assert setup.json()["qr_code_url"] == (
            f"otpauth://totp/The%20Logbook:{email}?secret={secret}&issuer=The%20Logbook"
        )
        assert status.json() == {"mfa_enabled": False, "recovery_codes_remaining": 0}

    def test_verify_setup_turns_mfa_on_and_shows_ten_recovery_codes(
        self, platform: AuthPlatform
    ) -> None:
        username = new_member(platform)
        with browser(platform) as client:
            sign_in(client, username)
            _, codes = enrol(client)
            status = client.get(f"{MFA}/status")
            again = post(client, "/setup")
            me = client.get("/api/v1/auth/me")
        assert len(codes) == 10
        assert len(set(codes)) == 10
        assert all(RECOVERY_CODE.match(code) for code in codes)
        assert status.json() == {"mfa_enabled": True, "recovery_codes_remaining": 10}
        assert_error(again, 400, "LB-API-400")
        assert me.json()["mfa_enabled"] is True

    def test_a_wrong_code_or_no_setup_is_400(self, platform: AuthPlatform) -> None:
        username = new_member(platform)
        with browser(platform) as client:
            sign_in(client, username)
            not_started = post(client, "/verify-setup", {"code": "123456"})
            post(client, "/setup")
            wrong = post(client, "/verify-setup", {"code": "000000"})
            malformed = post(client, "/verify-setup", {"code": "12345"})
            status = client.get(f"{MFA}/status")
        assert_error(not_started, 400, "LB-API-400")
        assert_error(wrong, 400, "LB-AUTH-007")
        assert_error(malformed, 422, "LB-VAL-001")
        assert status.json()["mfa_enabled"] is False

    def test_the_secret_is_stored_encrypted_and_the_codes_only_hashed(
        self, platform: AuthPlatform
    ) -> None:
        username = new_member(platform)
        with browser(platform) as client:
            sign_in(client, username)
            totp, codes = enrol(client)
        with sqlite3.connect(platform.database) as db:
            (stored,) = db.execute(
                "SELECT mfa_secret FROM users WHERE username = ?", (username,)
            ).fetchone()
            hashes = {
                row[0]
                for row in db.execute(
                    "SELECT code_hash FROM mfa_recovery_codes WHERE user_id ="
                    " (SELECT id FROM users WHERE username = ?)",
                    (username,),
                )
            }
            payloads = [row[0] for row in db.execute("SELECT payload FROM outbox")]
        assert stored.startswith("$gcm2$")
        assert totp.secret not in stored
        assert hashes == {hashlib.sha256(code.encode()).hexdigest() for code in codes}
        for payload in payloads:  # no event carries the secret or a code
            text = bytes(payload).decode()
            assert totp.secret not in text
            assert not any(code in text for code in codes)


class TestMfaLogin:
    def test_the_password_step_answers_a_challenge_without_cookies(
        self, platform: AuthPlatform
    ) -> None:
        username, _, _ = enrolled_member(platform)
        with browser(platform) as client:
            response = sign_in(client, username)
            assert not client.cookies
        assert response.status_code == 200
        assert set(response.json()) == {"mfa_required", "mfa_token"}
        assert response.json()["mfa_required"] is True
        assert set_cookies(response) == {}
        claims = jwt.decode(response.json()["mfa_token"], options={"verify_signature": False})
        assert claims["type"] == "mfa_pending"
        assert claims["exp"] - claims["iat"] == 300

    def test_the_current_code_signs_in_once_and_a_replay_is_refused(
        self, platform: AuthPlatform
    ) -> None:
        username, totp, _ = enrolled_member(platform)
        with browser(platform) as client:
            code = totp.now()
            response = mfa_login(client, challenge(client, username), code=code)
            me = client.get("/api/v1/auth/me")
        assert response.status_code == 200, response.text
        assert response.json()["token_type"] == "bearer"
        assert response.json()["user"]["username"] == username
        assert response.json()["user"]["mfa_enabled"] is True
        assert {"access_token@/", "refresh_token@/api/v1/auth/", "csrf_token@/"} <= set(
            set_cookies(response)
        )
        assert me.status_code == 200
        with browser(platform) as other:
            replay = mfa_login(other, challenge(other, username), code=code)
        assert_error(replay, 401, "LB-AUTH-007")
        assert replay.headers["www-authenticate"] == "Bearer"

    def test_a_wrong_code_is_401_and_the_challenge_can_be_retried(
        self, platform: AuthPlatform
    ) -> None:
        username, totp, _ = enrolled_member(platform)
        with browser(platform) as client:
            token = challenge(client, username)
            wrong = mfa_login(client, token, code="000000" if totp.now() != "000000" else "111111")
            nothing = mfa_login(client, token)
            retried = mfa_login(client, token, code=totp.now())
        assert_error(wrong, 401, "LB-AUTH-007")
        assert_error(nothing, 401, "LB-AUTH-007")
        assert retried.status_code == 200, retried.text

    def test_a_recovery_code_works_once(self, platform: AuthPlatform) -> None:
        username, _, codes = enrolled_member(platform)
        with browser(platform) as client:
            # Trimmed, lower-cased and without spaces before it is compared.
            first = mfa_login(
                client, challenge(client, username), recovery_code=f"  {codes[3].upper()} "
            )
            status = client.get(f"{MFA}/status")
        with browser(platform) as other:
            second = mfa_login(other, challenge(other, username), recovery_code=codes[3])
        assert first.status_code == 200, first.text
        assert status.json() == {"mfa_enabled": True, "recovery_codes_remaining": 9}
        assert_error(second, 401, "LB-AUTH-007")

    @pytest.mark.parametrize(
        "kind", ["garbage", "empty", "expired", "wrong_key", "wrong_type", "mfa_off", "unknown"]
    )
    def test_a_bad_challenge_token_is_401_lb_auth_011(
        self, platform: AuthPlatform, kind: str
    ) -> None:
        with browser(platform) as client:
            response = mfa_login(client, bad_challenge(platform, kind), code="123456")
        assert_error(response, 401, "LB-AUTH-011")
        assert response.headers["www-authenticate"] == "Bearer"

    def test_wrong_codes_count_towards_the_lockout(self, platform: AuthPlatform) -> None:
        username, totp, _ = enrolled_member(platform)
        with browser(platform) as client:
            token = challenge(client, username)
            for _ in range(5):
                wrong = "000000" if totp.now() != "000000" else "111111"
                assert_error(mfa_login(client, token, code=wrong), 401, "LB-AUTH-007")
            locked = mfa_login(client, token, code=totp.now())
            password = sign_in(client, username)
        assert_error(locked, 401, "LB-AUTH-011")
        assert_error(password, 401, "LB-AUTH-006")


class TestManagement:
    def test_new_recovery_codes_replace_the_old_ones(self, platform: AuthPlatform) -> None:
        username, totp, old_codes = enrolled_member(platform)
        with browser(platform) as client:
            mfa_login(client, challenge(client, username), recovery_code=old_codes[0])
            wrong = post(client, "/recovery-codes", {"code": "000000"})
            regenerated = post(client, "/recovery-codes", {"code": totp.now()})
            status = client.get(f"{MFA}/status")
        assert_error(wrong, 400, "LB-AUTH-007")
        assert regenerated.status_code == 200
        new_codes = regenerated.json()["recovery_codes"]
        assert len(new_codes) == 10
        assert not set(new_codes) & set(old_codes)
        assert status.json() == {"mfa_enabled": True, "recovery_codes_remaining": 10}
        with browser(platform) as other:
            old = mfa_login(other, challenge(other, username), recovery_code=old_codes[1])
        assert_error(old, 401, "LB-AUTH-007")

    def test_disable_needs_a_code_and_restores_the_plain_sign_in(
        self, platform: AuthPlatform
    ) -> None:
        username, totp, codes = enrolled_member(platform)
        with browser(platform) as client:
            mfa_login(client, challenge(client, username), recovery_code=codes[0])
            wrong = post(client, "/disable", {"code": "000000"})
            disabled = post(client, "/disable", {"code": totp.now()})
            again = post(client, "/disable", {"code": totp.now()})
            still_signed_in = client.get("/api/v1/auth/me")
        assert_error(wrong, 400, "LB-AUTH-007")
        assert disabled.status_code == 200
        assert disabled.json() == {"mfa_enabled": False}
        assert_error(again, 400, "LB-API-400")
        assert still_signed_in.json()["mfa_enabled"] is False
        with browser(platform) as other:
            plain = sign_in(other, username)
            status = other.get(f"{MFA}/status")
        assert plain.json()["user"]["username"] == username
        assert status.json() == {"mfa_enabled": False, "recovery_codes_remaining": 0}
        with sqlite3.connect(platform.database) as db:
            row = db.execute(
                "SELECT mfa_secret, (SELECT COUNT(*) FROM mfa_recovery_codes"
                " WHERE user_id = users.id) FROM users WHERE username = ?",
                (username,),
            ).fetchone()
        assert row == (None, 0)


class TestPolicy:
    def test_only_members_with_the_permission_see_or_change_it(
        self, platform: AuthPlatform
    ) -> None:
        member = new_member(platform, admin=False)
        with browser(platform) as admin, browser(platform) as client:
            sign_in(admin)
            sign_in(client, member)
            shown = admin.get(f"{MFA}/policy")
            read = client.get(f"{MFA}/policy")
            write = client.put(
                f"{MFA}/policy", json={"mfa_required": True}, headers=csrf_headers(client)
            )
        assert shown.json() == {"mfa_required": False}
        assert_error(read, 403, "LB-PERM-001")
        assert_error(write, 403, "LB-PERM-001")
        assert read.json()["detail"] == "Insufficient permissions"

    def test_a_required_policy_confines_unenrolled_members_to_enrolment(
        self, platform: AuthPlatform
    ) -> None:
        # The administrator enrols first: the gate applies to them as well.
        officer, _, officer_codes = enrolled_member(platform)
        member = new_member(platform, admin=False)
        with browser(platform) as admin, browser(platform) as client:
            mfa_login(admin, challenge(admin, officer), recovery_code=officer_codes[0])
            try:
                turned_on = admin.put(
                    f"{MFA}/policy", json={"mfa_required": True}, headers=csrf_headers(admin)
                )
                assert turned_on.json() == {"mfa_required": True}
                sign_in(client, member)
                self._assert_confined(client)
                enrol(client)
                assert_error(client.get(f"{MFA}/policy"), 403, "LB-PERM-001")  # past the gate
                assert client.get("/api/v1/auth/me").json()["mfa_enrollment_required"] is False
            finally:
                turned_off = admin.put(
                    f"{MFA}/policy", json={"mfa_required": False}, headers=csrf_headers(admin)
                )
        assert turned_off.json() == {"mfa_required": False}
        with sqlite3.connect(platform.database) as db:
            (settings,) = db.execute("SELECT settings FROM organizations").fetchone()
        assert json.loads(settings)["security"] == {"mfa_required": False}

    @staticmethod
    def _assert_confined(client: httpx.Client) -> None:
        gated = client.get(f"{MFA}/policy")
        assert_error(gated, 403, "LB-AUTH-005")
        assert gated.headers["x-mfa-enrollment-required"] == "true"
        assert_error(post(client, "/disable", {"code": "123456"}), 403, "LB-AUTH-005")
        me = client.get("/api/v1/auth/me")
        assert me.status_code == 200
        assert me.json()["mfa_enrollment_required"] is True
        assert client.get(f"{MFA}/status").status_code == 200
        assert client.get("/api/v1/auth/session-settings").status_code == 200
        # The deadlock fix of §4: change-password is reachable (here it fails on the password).
        changed = client.post(
            "/api/v1/auth/change-password",
            headers=csrf_headers(client),
            json={"current_password": "Not-The-Password#1", "new_password": PASSWORD + "x"},
        )
        assert_error(changed, 400, "LB-API-400")
