"""Sign-in as the frontend does it, through the gateway, with a cookie jar (spec/auth.md)."""

import sqlite3
import uuid
from http.cookies import SimpleCookie

import httpx
import pytest

from tests.e2e.auth_platform import ORG, PASSWORD, AuthPlatform, add_admin, create_admin

pytestmark = pytest.mark.e2e
CURRENT_USER_FIELDS = {  # spec/auth.md §2.5: every field, always
    "id",
    "organization_id",
    "username",
    "email",
    "first_name",
    "last_name",
    "full_name",
    "timezone",
    "roles",
    "positions",
    "rank",
    "platoon",
    "membership_type",
    "permissions",
    "is_active",
    "email_verified",
    "mfa_enabled",
    "mfa_enrollment_required",
    "password_expired",
    "must_change_password",
}


@pytest.fixture(scope="module")
def platform(auth_platform: AuthPlatform) -> AuthPlatform:
    return auth_platform


def new_member(platform: AuthPlatform) -> str:
    """Another member of the organization (an administrator as create-admin makes them)."""
    username = f"m{uuid.uuid4().hex[:10]}"
    add_admin(platform.database, username)
    return username


def browser(platform: AuthPlatform) -> httpx.Client:
    """A cookie-keeping client on the gateway, like the frontend's."""
    return httpx.Client(base_url=platform.stack.gateway, timeout=15)


def sign_in(
    client: httpx.Client, username: str = "chief", password: str = PASSWORD
) -> httpx.Response:
    csrf = client.cookies.get("csrf_token")
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    return client.post(
        "/api/v1/auth/login", json={"username": username, "password": password}, headers=headers
    )


def csrf_headers(client: httpx.Client) -> dict[str, str]:
    return {"X-CSRF-Token": client.cookies.get("csrf_token") or ""}


def set_cookies(response: httpx.Response) -> dict[str, dict[str, str]]:
    """Each Set-Cookie of a response: name → its value and attributes (lower-case keys)."""
    parsed: dict[str, dict[str, str]] = {}
    for header in response.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            attributes = {k: str(v) for k, v in morsel.items() if v}
            parsed[f"{name}@{morsel['path']}"] = {"value": morsel.value, **attributes}
    return parsed


class TestColdLoad:
    def test_before_the_first_admin_the_login_page_sees_no_organization(
        self, platform: AuthPlatform
    ) -> None:
        assert platform.branding_before == {"name": None, "logo": None}
        assert platform.onboarding_before["needs_onboarding"] is True

    def test_after_create_admin_the_login_page_shows_the_organization(
        self, platform: AuthPlatform
    ) -> None:
        assert httpx.get(f"{platform.stack.gateway}/api/v1/auth/branding").json() == {
            "name": ORG,
            "logo": None,
        }
        status = httpx.get(f"{platform.stack.gateway}/api/v1/onboarding/status").json()
        assert status["needs_onboarding"] is False
        oauth = httpx.get(f"{platform.stack.gateway}/api/v1/auth/oauth-config").json()
        assert oauth == {"googleEnabled": False, "microsoftEnabled": False}


class TestLogin:
    def test_login_sets_three_cookies_and_returns_the_user(self, platform: AuthPlatform) -> None:
        with browser(platform) as client:
            response = sign_in(client)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"token_type", "expires_in", "user"}
        assert set(body["user"]) == CURRENT_USER_FIELDS
        assert body["user"]["is_active"] is True
        assert body["user"]["full_name"] == "Dana Reyes"  # as create-admin named them
        assert body["user"]["must_change_password"] is False
        assert body["user"]["mfa_enrollment_required"] is False
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == 1800
        assert body["user"]["username"] == "chief"
        assert body["user"]["permissions"][0] == "*"
        assert body["user"]["positions"] == ["IT Manager", "Member"]
        assert body["user"]["timezone"] == "America/New_York"
        cookies = set_cookies(response)
        access, refresh = cookies["access_token@/"], cookies["refresh_token@/api/v1/auth/"]
        csrf = cookies["csrf_token@/"]
        for cookie in (access, refresh, csrf):
            assert cookie["samesite"] == "Strict"
            assert "secure" not in cookie  # plain-http development gateway
            assert cookie["value"] not in response.text  # no token in a JSON body
        assert (access["max-age"], refresh["max-age"], csrf["max-age"]) == (
            "1800",
            "604800",
            "1800",
        )
        assert access["httponly"]
        assert refresh["httponly"]
        assert "httponly" not in csrf  # the frontend reads it
        assert len(csrf["value"]) == 43
        assert not any(h.lower().startswith("x-auth-") for h in response.headers)

    def test_every_login_issues_a_fresh_csrf_token(self, platform: AuthPlatform) -> None:
        with browser(platform) as client:
            sign_in(client)
            first = client.cookies.get("csrf_token")
            sign_in(client)
            assert client.cookies.get("csrf_token") not in (None, first)

    def test_me_answers_with_the_cookie(self, platform: AuthPlatform) -> None:
        with browser(platform) as client:
            sign_in(client)
            me = client.get("/api/v1/auth/me")
            settings = client.get("/api/v1/auth/session-settings")
        assert me.status_code == 200
        assert me.json()["username"] == "chief"
        assert settings.json() == {"session_timeout_minutes": 15, "password_max_age_days": 90}

    def test_without_a_cookie_me_is_401(self, platform: AuthPlatform) -> None:
        response = httpx.get(
            f"{platform.stack.gateway}/api/v1/auth/me", headers={"Authorization": "Bearer forged"}
        )
        assert response.status_code == 401
        assert response.json()["code"] == "LB-AUTH-001"  # the forged header never arrived
        assert response.headers["www-authenticate"] == "Bearer"

    def test_a_wrong_password_is_a_generic_401(self, platform: AuthPlatform) -> None:
        with browser(platform) as client:
            wrong = sign_in(client, password="Not-The-Password#1")
            unknown = sign_in(client, username="nobody-here")
        for response in (wrong, unknown):
            assert response.status_code == 401
            assert response.json()["code"] == "LB-AUTH-006"
        assert wrong.json()["detail"] == unknown.json()["detail"]

    def test_five_failures_lock_the_account_with_the_same_401(self, platform: AuthPlatform) -> None:
        username = new_member(platform)
        with browser(platform) as client:
            for _ in range(5):
                assert sign_in(client, username, "Wrong-Password#99").status_code == 401
            locked = sign_in(client, username)  # the right password, while locked
        assert locked.status_code == 401
        assert locked.json()["code"] == "LB-AUTH-006"

    def test_an_inactive_member_is_refused_after_the_password(self, platform: AuthPlatform) -> None:
        username = new_member(platform)
        with sqlite3.connect(platform.database) as db:
            db.execute("UPDATE users SET status = 'suspended' WHERE username = ?", (username,))
        with browser(platform) as client:
            response = sign_in(client, username)
        assert response.status_code == 403
        assert response.json()["code"] == "LB-AUTH-003"


class TestCsrf:
    def test_a_state_change_without_the_header_is_403(self, platform: AuthPlatform) -> None:
        with browser(platform) as client:
            sign_in(client)
            missing = client.post("/api/v1/auth/logout")
            wrong = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": "nope"})
        assert (missing.status_code, missing.json()["code"]) == (403, "LB-AUTH-009")
        assert (wrong.status_code, wrong.json()["code"]) == (403, "LB-AUTH-009")

    def test_an_access_cookie_without_csrf_cookie_is_403(self, platform: AuthPlatform) -> None:
        with browser(platform) as client:
            sign_in(client)
            access = client.cookies.get("access_token")
        response = httpx.post(
            f"{platform.stack.gateway}/api/v1/auth/logout", cookies={"access_token": access or ""}
        )
        assert (response.status_code, response.json()["code"]) == (403, "LB-AUTH-008")


class TestRefresh:
    def test_refresh_rotates_all_three_cookies(self, platform: AuthPlatform) -> None:
        with browser(platform) as client:
            sign_in(client)
            before = dict(client.cookies.items())
            response = client.post("/api/v1/auth/refresh", headers=csrf_headers(client))
            after = dict(client.cookies.items())
            assert client.get("/api/v1/auth/me").status_code == 200
        assert response.status_code == 200
        assert response.json() == {"token_type": "bearer", "expires_in": 1800}
        for name in ("access_token", "refresh_token", "csrf_token"):
            assert after[name] != before[name]

    def test_a_reused_refresh_token_ends_the_whole_family(self, platform: AuthPlatform) -> None:
        with browser(platform) as client:
            sign_in(client)
            stolen = client.cookies.get("refresh_token", path="/api/v1/auth/")
            assert (
                client.post("/api/v1/auth/refresh", headers=csrf_headers(client)).status_code == 200
            )
            replay = httpx.post(
                f"{platform.stack.gateway}/api/v1/auth/refresh",
                cookies={"refresh_token": stolen or ""},
            )
            assert replay.status_code == 401
            assert replay.json()["code"] == "LB-AUTH-002"
            # The legitimate holder's rotated session is gone too.
            assert client.get("/api/v1/auth/me").status_code == 401

    def test_a_forged_token_naming_a_session_revokes_nothing(self, platform: AuthPlatform) -> None:
        with browser(platform) as client:
            sign_in(client)
            genuine = client.cookies.get("refresh_token", path="/api/v1/auth/") or ""
            session_id = genuine.split(".")[0]
            forged = httpx.post(
                f"{platform.stack.gateway}/api/v1/auth/refresh",
                cookies={"refresh_token": f"{session_id}.guessed.nomac"},
            )
            assert (forged.status_code, forged.json()["code"]) == (401, "LB-AUTH-002")
            assert client.get("/api/v1/auth/me").status_code == 200  # the member stays in

    def test_refresh_without_a_cookie_is_a_cheap_401(self, platform: AuthPlatform) -> None:
        response = httpx.post(f"{platform.stack.gateway}/api/v1/auth/refresh")
        assert (response.status_code, response.json()["code"]) == (401, "LB-AUTH-001")


class TestLogout:
    def test_logout_clears_cookies_and_the_old_access_cookie_is_refused(
        self, platform: AuthPlatform
    ) -> None:
        with browser(platform) as client:
            sign_in(client)
            old_access = client.cookies.get("access_token")
            response = client.post("/api/v1/auth/logout", headers=csrf_headers(client))
        assert response.status_code == 200
        cleared = set_cookies(response)
        assert set(cleared) == {
            "access_token@/",
            "refresh_token@/api/v1/auth",
            "refresh_token@/api/v1/auth/",
            "csrf_token@/",
        }
        assert all(c["max-age"] == "0" for c in cleared.values())
        replay = httpx.get(
            f"{platform.stack.gateway}/api/v1/auth/me", cookies={"access_token": old_access or ""}
        )
        assert (replay.status_code, replay.json()["code"]) == (401, "LB-AUTH-002")


class TestChangePassword:
    def test_a_weak_new_password_is_400_with_the_rule(self, platform: AuthPlatform) -> None:
        username = new_member(platform)
        with browser(platform) as client:
            sign_in(client, username)
            response = client.post(
                "/api/v1/auth/change-password",
                headers=csrf_headers(client),
                json={"current_password": PASSWORD, "new_password": "aaaaaaaaaaaa"},
            )
        assert response.status_code == 400
        assert response.json()["code"] == "LB-API-400"

    def test_a_second_change_within_a_day_is_refused(self, platform: AuthPlatform) -> None:
        username = new_member(platform)
        second = "Hose-Line-Charged#21"
        with browser(platform) as client:
            sign_in(client, username)
            first = client.post(
                "/api/v1/auth/change-password",
                headers=csrf_headers(client),
                json={"current_password": PASSWORD, "new_password": "Ladder-Truck-Seven#88"},
            )
            assert first.status_code == 200
            sign_in(client, username, "Ladder-Truck-Seven#88")
            again = client.post(
                "/api/v1/auth/change-password",
                headers=csrf_headers(client),
                json={"current_password": "Ladder-Truck-Seven#88", "new_password": second},
            )
        assert again.status_code == 400
        assert "1 day" in again.json()["detail"]

    def test_a_change_signs_every_other_session_out(self, platform: AuthPlatform) -> None:
        username = new_member(platform)
        new_password = "Ladder-Truck-Seven#88"
        with browser(platform) as client, browser(platform) as other_device:
            sign_in(client, username)
            sign_in(other_device, username)
            response = client.post(
                "/api/v1/auth/change-password",
                headers=csrf_headers(client),
                json={"current_password": PASSWORD, "new_password": new_password},
            )
            assert response.status_code == 200
            # The device that changed it got fresh cookies (spec/auth.md §2.8 allows either).
            assert {"access_token@/", "csrf_token@/"} <= set(set_cookies(response))
            assert client.get("/api/v1/auth/me").status_code == 200
            assert other_device.get("/api/v1/auth/me").status_code == 401
            assert sign_in(client, username).status_code == 401
            assert sign_in(client, username, new_password).status_code == 200


class TestCreateAdmin:
    def test_a_weak_password_is_refused_and_nothing_written(self, platform: AuthPlatform) -> None:
        result = create_admin(
            platform.database, "weakling", "weak@station9.example.org", password="short"
        )
        assert result.returncode != 0
        assert "password" in result.stderr.lower()
        with sqlite3.connect(platform.database) as db:
            assert db.execute(
                "SELECT COUNT(*) FROM users WHERE username = 'weakling'"
            ).fetchone() == (0,)

    def test_a_duplicate_username_or_email_is_refused(self, platform: AuthPlatform) -> None:
        again = create_admin(platform.database, "chief", "other@station9.example.org")
        same_email = create_admin(platform.database, "chief2", "CHIEF@station9.example.org")
        assert again.returncode != 0
        assert same_email.returncode != 0
        assert "already exists" in again.stderr


class TestLaterRoutes:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("POST", "/api/v1/auth/register"),
            ("GET", "/api/v1/auth/check"),
            ("GET", "/api/v1/auth/captcha-config"),
            ("GET", "/api/v1/auth/oauth/google"),
            ("GET", "/api/v1/auth/oauth/microsoft/callback"),
        ],
    )
    def test_routes_not_built_yet_answer_a_plain_404(
        self, platform: AuthPlatform, method: str, path: str
    ) -> None:
        response = httpx.request(method, f"{platform.stack.gateway}{path}", json={})
        assert response.status_code == 404  # never 401/403/503: the frontend reacts to those
        assert response.json()["code"] == "LB-API-404"
