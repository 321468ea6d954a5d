"""A member added without a password gets a welcome link to choose one, and can then sign in."""

import time
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.department import Department

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Ladder-Nine-Climbs#2026"


def _create(department: Department, **extra: Any) -> dict[str, Any]:
    name = f"w{uuid.uuid4().hex[:10]}"
    with department.signed_in(department.admin_username) as admin:
        response = admin.post(
            "/api/v1/users",
            json={
                "username": name,
                "email": f"{name}@station9.example.org",
                "first_name": "Wendy",
                "last_name": "Welcome",
                **extra,
            },
        )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _welcome_link(department: Department, user_id: str, within: float = 10) -> str | None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for line in department.stack.json_lines():
            if line.get("event") == "auth.welcome_link_dev" and line.get("user_id") == user_id:
                return str(line["link"])
        time.sleep(0.2)
    return None


def test_the_welcome_link_lets_the_new_member_choose_a_password(department: Department) -> None:
    member = _create(department)
    link = _welcome_link(department, member["id"])
    assert link is not None
    token = link.split("#token=", 1)[1]
    # No password exists yet: signing in fails until the member chooses one.
    login = {"username": member["username"], "password": NEW_PASSWORD}
    assert httpx.post(f"{department.gateway}/api/v1/auth/login", json=login).status_code == 401
    chosen = httpx.post(
        f"{department.gateway}/api/v1/auth/reset-password",
        json={"token": token, "new_password": NEW_PASSWORD},
    )
    assert chosen.status_code == 200, chosen.text
    signed_in = httpx.post(f"{department.gateway}/api/v1/auth/login", json=login)
    assert signed_in.status_code == 200, signed_in.text
    rows = department.query(
        "SELECT expires_at, created_at FROM password_reset_tokens WHERE user_id = %s",
        member["id"],
    )
    assert len(rows) == 1
    assert (rows[0]["expires_at"] - rows[0]["created_at"]).days == 7


def test_no_link_when_the_administrator_chose_the_password_or_declined_the_mail(
    department: Department,
) -> None:
    chosen = _create(department, password="Hydrant-Four-Flows#2026")
    declined = _create(department, send_welcome_email=False)
    # Events reach auth in order: once a later member's link exists, these were handled.
    later = _create(department)
    assert _welcome_link(department, later["id"]) is not None
    for member in (chosen, declined):
        assert _welcome_link(department, member["id"], within=0) is None
        rows = department.query(
            "SELECT id FROM password_reset_tokens WHERE user_id = %s", member["id"]
        )
        assert rows == []
