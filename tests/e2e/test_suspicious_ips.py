"""The suspicious-address throttle (spec/auth.md §5.4) through the gateway."""

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.auth_platform import PASSWORD, add_admin
from tests.e2e.stack import Stack, start_stack

pytestmark = pytest.mark.e2e
LIMIT = 3  # instead of 50, so the test stays short
BLOCK_SECONDS = 900


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One stack for the module: its tests run in file order, the one that ends with the
    address blocked last."""
    tmp_path = tmp_path_factory.mktemp("suspicious-ips")
    running = start_stack(
        tmp_path, RATE_LIMIT_MULTIPLIER="100", SUSPICIOUS_IP_MAX_FAILURES=str(LIMIT)
    )
    try:
        for name in ("chief", "other"):
            add_admin(tmp_path / "var" / "logbook.db", name)
        yield running
    finally:
        running.stop()


def login(stack: Stack, username: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{stack.gateway}/api/v1/auth/login",
        json={"username": username, "password": password},
        timeout=15,
    )


def test_a_completed_sign_in_clears_the_count(stack: Stack) -> None:
    for _ in range(LIMIT - 1):
        assert login(stack, "chief", "Wrong-Password#1").status_code == 401
    assert login(stack, "chief", PASSWORD).status_code == 200
    for _ in range(LIMIT - 1):
        assert login(stack, "other", "Wrong-Password#1").status_code == 401
    assert login(stack, "other", PASSWORD).status_code == 200  # not blocked


def test_failures_across_accounts_block_the_address(stack: Stack) -> None:
    statuses = [
        login(stack, name, "Wrong-Password#1").status_code for name in ("chief", "other", "nobody")
    ]
    assert statuses == [401, 401, 401]
    blocked = login(stack, "chief", PASSWORD)  # even the right password, while blocked
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "LB-API-429"
    assert 0 < int(blocked.headers["retry-after"]) <= BLOCK_SECONDS
    assert blocked.json()["details"]["retryAfter"] == int(blocked.headers["retry-after"])
    with sqlite3.connect(Path(stack.env["DATA_DIR"]) / "logbook.db") as db:
        subjects = [row[0] for row in db.execute("SELECT subject FROM outbox")]
    assert subjects.count("logbook.auth.ip.blocked") == 1
