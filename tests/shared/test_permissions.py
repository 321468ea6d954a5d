"""The permission rule every service applies: `*`, `<module>.*`, or the exact name."""

import pytest

from shared.permissions import grants, grants_any


@pytest.mark.parametrize(
    ("held", "wanted", "granted"),
    [
        (["*"], "users.create", True),
        (["users.*"], "users.create", True),
        (["users.create"], "users.create", True),
        (["users.view"], "users.create", False),
        (["user.*"], "users.create", False),  # a module is matched whole, not by prefix
        (["users.*"], "members.manage", False),
        ([], "users.view", False),
    ],
)
def test_grants(held: list[str], wanted: str, granted: bool) -> None:
    assert grants(held, wanted) is granted


def test_route_permission_lists_are_or_lists() -> None:
    assert grants_any(["members.manage"], ["users.create", "members.manage"])
    assert not grants_any(["members.view"], ["users.create", "members.manage"])
