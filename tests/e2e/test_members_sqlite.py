"""Case-insensitive uniqueness on the embedded SQLite database too (`make run`'s default)."""

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.stack import Stack, start_stack
from tests.e2e.test_auth_flow import PASSWORD, create_admin


@pytest.fixture(scope="module")
def admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    workdir = tmp_path_factory.mktemp("sqlite-members")
    stack: Stack = start_stack(workdir)
    try:
        created = create_admin(workdir / "var" / "logbook.db", "chief", "chief@example.org")
        assert created.returncode == 0, created.stderr
        with httpx.Client(base_url=stack.gateway, timeout=20) as client:
            login = {"username": "chief", "password": PASSWORD}
            assert client.post("/api/v1/auth/login", json=login).status_code == 200
            client.headers["X-CSRF-Token"] = client.cookies["csrf_token"]
            yield client
    finally:
        stack.stop()


def _member(name: str, email: str, number: str | None = None) -> dict[str, str]:
    body = {"username": name, "email": email, "first_name": "Sam", "last_name": "Lite"}
    if number is not None:
        body["membership_number"] = number
    return body


@pytest.mark.parametrize(
    ("first", "second", "field"),
    [
        (("sqlEmail", "Same.Case@Example.org"), ("other1", "same.case@example.org"), "email"),
        (("SqlUser", "u1@example.org"), ("sqluser", "u2@example.org"), "username"),
    ],
)
def test_a_clash_differing_only_in_case_is_409_naming_the_field(
    admin: httpx.Client, first: tuple[str, str], second: tuple[str, str], field: str
) -> None:
    suffix = uuid.uuid4().hex[:6]
    one = _member(first[0] + suffix, suffix + first[1])
    two = _member(second[0] + suffix, suffix + second[1])
    if field == "username":
        two["username"] = one["username"].upper()
    assert admin.post("/api/v1/users", json=one).status_code == 201
    clash = admin.post("/api/v1/users", json=two)
    assert clash.status_code == 409, clash.text
    assert field in clash.json()["detail"].lower()


def test_membership_numbers_clash_case_insensitively(admin: httpx.Client) -> None:
    number = f"fd-{uuid.uuid4().hex[:6]}"
    first = _member(f"n{uuid.uuid4().hex[:8]}", f"{uuid.uuid4().hex[:8]}@example.org", number)
    second = _member(
        f"n{uuid.uuid4().hex[:8]}", f"{uuid.uuid4().hex[:8]}@example.org", number.upper()
    )
    assert admin.post("/api/v1/users", json=first).status_code == 201
    clash = admin.post("/api/v1/users", json=second)
    assert clash.status_code == 409
    assert clash.json()["detail"] == "A member with this membership number already exists"
