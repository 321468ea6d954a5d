"""Case-insensitive uniqueness on the embedded SQLite database too (`make run`'s default)."""

import uuid

import pytest

from tests.support.inprocess import InProcess

USERS = "/api/v1/users"
pytestmark = pytest.mark.parametrize("database_kind", ["sqlite"])


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
async def test_a_clash_differing_only_in_case_is_409_naming_the_field(
    inprocess: InProcess, first: tuple[str, str], second: tuple[str, str], field: str
) -> None:
    _, admin = await inprocess.department()
    suffix = uuid.uuid4().hex[:6]
    one = _member(first[0] + suffix, suffix + first[1])
    two = _member(second[0] + suffix, suffix + second[1])
    if field == "username":
        two["username"] = one["username"].upper()
    assert (await inprocess.api.post(USERS, headers=admin, json=one)).status_code == 201
    clash = await inprocess.api.post(USERS, headers=admin, json=two)
    assert clash.status_code == 409, clash.text
    assert field in clash.json()["detail"].lower()


async def test_membership_numbers_clash_case_insensitively(inprocess: InProcess) -> None:
    _, admin = await inprocess.department()
    number = f"fd-{uuid.uuid4().hex[:6]}"
    first = _member(f"n{uuid.uuid4().hex[:8]}", f"{uuid.uuid4().hex[:8]}@example.org", number)
    second = _member(
        f"n{uuid.uuid4().hex[:8]}", f"{uuid.uuid4().hex[:8]}@example.org", number.upper()
    )
    assert (await inprocess.api.post(USERS, headers=admin, json=first)).status_code == 201
    clash = await inprocess.api.post(USERS, headers=admin, json=second)
    assert clash.status_code == 409
    assert clash.json()["detail"] == "A member with this membership number already exists"
