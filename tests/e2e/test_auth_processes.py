"""Auth's processes: Argon2 in worker processes, and a second auth instance beside the gateway's."""

import asyncio
import json
import os
import signal
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from shared.events.contracts.members import MemberUpdated
from shared.events.envelope import wrap
from shared.internal_calls import PASSWORD_HASH_ROUTE, signed_headers
from tests.e2e.auth_platform import PASSWORD, AuthPlatform, add_admin
from tests.e2e.department import Department
from tests.e2e.stack import Stack, another_instance
from tests.e2e.test_auth_flow import csrf_headers
from tests.e2e.test_sessions_everywhere import publish

pytestmark = pytest.mark.e2e
WORKER_MODULE = "auth.passwords.worker"


@pytest.fixture(scope="module")
def stack(auth_platform: AuthPlatform) -> Stack:
    """The worker's SQLite auth platform: its hashing workers are killed here, and replaced
    before the next module. Stopping auth ends a platform: test_stack does that on its own."""
    return auth_platform.stack


@pytest.fixture(scope="module")
def member(auth_platform: AuthPlatform) -> str:
    """An administrator of this module's own: other modules change `chief`'s password."""
    return new_member(auth_platform.stack)


def service_process(stack: Stack, service: str) -> psutil.Process:
    pid = next(
        line["pid"]
        for line in stack.json_lines()
        if line.get("event") == "run.started" and line.get("process") == service
    )
    return psutil.Process(pid)


def auth_process(stack: Stack) -> psutil.Process:
    return service_process(stack, "auth")


def hashing_workers(service: psutil.Process) -> list[psutil.Process]:
    return [c for c in service.children() if WORKER_MODULE in c.cmdline()]


def sign_in(stack: Stack, username: str, client: httpx.Client | None = None) -> httpx.Response:
    body = {"username": username, "password": PASSWORD}
    if client is not None:
        return client.post("/api/v1/auth/login", json=body)
    return httpx.post(f"{stack.gateway}/api/v1/auth/login", json=body, timeout=15)


def gone(pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True


def still_running(pids: list[int], within: float = 10.0) -> list[int]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and not all(gone(pid) for pid in pids):
        time.sleep(0.05)
    return [pid for pid in pids if not gone(pid)]


def hash_at_once(stack: Stack, times: int = 2) -> list[int]:
    """Pids of auth's workers after `times` hashes sent together to its signed internal route,
    which no rate limit guards: the tests that end a platform need its workers running, on a
    platform whose sign-ins from 127.0.0.1 may be locked out by then."""
    data = Path(stack.env["DATA_DIR"])
    secrets = dict(
        line.split("=", 1)
        for line in (data / "dev-secrets.env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    body = json.dumps({"password": "Long enough, and 4 kinds!"}).encode()
    headers = {
        **signed_headers(secrets["SECRET_KEY"], PASSWORD_HASH_ROUTE, body),
        "Content-Type": "application/json",
    }
    url = f"http://127.0.0.1:{stack.ports['auth']}{PASSWORD_HASH_ROUTE}"

    async def all_of_them() -> list[int]:
        async with httpx.AsyncClient(timeout=15) as client:
            answers = await asyncio.gather(
                *(client.post(url, content=body, headers=headers) for _ in range(times))
            )
        return [answer.status_code for answer in answers]

    assert asyncio.run(all_of_them()) == [200] * times
    return [worker.pid for worker in hashing_workers(auth_process(stack))]


def sign_in_at_once(stack: Stack, username: str, times: int) -> list[int]:
    """Status codes of `times` sign-ins sent together."""

    async def all_of_them() -> list[int]:
        async with httpx.AsyncClient(base_url=stack.gateway, timeout=15) as client:
            body = {"username": username, "password": PASSWORD}
            answers = await asyncio.gather(
                *(client.post("/api/v1/auth/login", json=body) for _ in range(times))
            )
        return [answer.status_code for answer in answers]

    return asyncio.run(all_of_them())


class TestHashingWorkers:
    def test_sign_ins_are_hashed_by_at_most_two_worker_processes_of_auth(
        self, stack: Stack, member: str
    ) -> None:
        assert sign_in_at_once(stack, member, 4) == [200] * 4
        workers = hashing_workers(auth_process(stack))
        # Started by the sign-ins (as many as hashed at once), never more than two.
        assert 1 <= len(workers) <= 2
        before = sum(w.cpu_times().user for w in workers)
        # A new member's password was hashed at the standard cost (64 MiB, about 0.2 s of CPU).
        assert sign_in(stack, new_member(stack)).status_code == 200
        assert sum(w.cpu_times().user for w in workers) - before > 0.05  # Argon2 ran there

    def test_a_killed_worker_is_replaced_and_sign_in_goes_on(
        self, stack: Stack, member: str
    ) -> None:
        service = auth_process(stack)
        assert sign_in_at_once(stack, member, 2) == [200] * 2
        victims = [w.pid for w in hashing_workers(service)]
        assert victims
        for pid in victims:
            os.kill(pid, signal.SIGKILL)
        assert still_running(victims) == []
        assert [sign_in(stack, member).status_code for _ in range(3)] == [200] * 3
        replacements = [w.pid for w in hashing_workers(service)]
        assert 1 <= len(replacements) <= 2
        assert set(replacements).isdisjoint(victims)
        assert service.is_running()


def new_member(stack: Stack) -> str:
    """Another administrator, as `create-admin` makes them, in the stack's SQLite database."""
    username = f"m{uuid.uuid4().hex[:10]}"
    add_admin(Path(stack.env["DATA_DIR"]) / "logbook.db", username)
    return username


def sql(stack: Stack, statement: str, *params: object) -> None:
    with sqlite3.connect(Path(stack.env["DATA_DIR"]) / "logbook.db") as db:
        db.execute(statement, params)


@pytest.fixture(scope="module")
def other(stack: Stack) -> Iterator[str]:
    """One second auth instance for the tests below: each signs in a member of its own."""
    with another_instance(stack, "auth") as base:
        yield base


class TestAnotherInstance:
    def test_a_logged_out_token_is_refused_here_at_once_and_there_within_a_second(
        self, stack: Stack, member: str, other: str
    ) -> None:
        with httpx.Client(base_url=stack.gateway) as client:
            assert sign_in(stack, member, client).status_code == 200
            access = client.cookies["access_token"]
            bearer = {"Authorization": f"Bearer {access}"}
            assert httpx.get(f"{other}/api/v1/auth/me", headers=bearer).status_code == 200
            assert client.get("/api/v1/auth/me").status_code == 200
            logout = client.post("/api/v1/auth/logout", headers=csrf_headers(client))
            assert logout.status_code == 200
            replay = httpx.get(f"{stack.gateway}/api/v1/auth/me", cookies={"access_token": access})
            assert (replay.status_code, replay.json()["code"]) == (401, "LB-AUTH-002")
            started = time.monotonic()
            while httpx.get(f"{other}/api/v1/auth/me", headers=bearer).status_code == 200:
                assert time.monotonic() - started < 1.0, "the other instance still serves it"
                time.sleep(0.02)
            refused = httpx.get(f"{other}/api/v1/auth/me", headers=bearer)
            assert refused.json()["code"] == "LB-AUTH-002"

    def test_an_api_member_event_drops_the_member_cached_there(
        self, stack: Stack, other: str
    ) -> None:
        username = new_member(stack)
        with httpx.Client(base_url=stack.gateway) as client:
            body = {"username": username, "password": PASSWORD}
            assert client.post("/api/v1/auth/login", json=body).status_code == 200
            bearer = {"Authorization": f"Bearer {client.cookies['access_token']}"}
            time.sleep(0.5)  # the sign-in's own event has come and gone
            me = httpx.get(f"{other}/api/v1/auth/me", headers=bearer)
            assert me.json()["first_name"] == "Dana"  # as create-admin named them
            user_id = me.json()["id"]
            # The api renames the member: its row, then its event.
            sql(stack, "UPDATE users SET first_name = 'Ada' WHERE username = ?", username)
            cached = httpx.get(f"{other}/api/v1/auth/me", headers=bearer)
            assert cached.json()["first_name"] == "Dana"  # served from memory, no SQL
            updated = MemberUpdated(user_id=user_id, changed_fields=["first_name"])
            asyncio.run(
                publish(
                    stack,
                    wrap(updated, organization_id=None, actor_id=None, request_id="req-rename"),
                )
            )
            started = time.monotonic()
            while (
                httpx.get(f"{other}/api/v1/auth/me", headers=bearer).json()["first_name"] == "Dana"
            ):
                assert time.monotonic() - started < 1.0, "the other instance kept the old name"
                time.sleep(0.02)


def test_me_reads_no_table_once_the_member_is_known(department: Department) -> None:
    # MariaDB, where a table lock makes any query on the member's tables wait: a /auth/me that
    # answered while they are locked did not touch them. The worker's shared platform: no
    # other test uses it while the tables are locked.
    _, username = department.add_member("member")
    with department.signed_in(username) as client:
        assert client.get("/api/v1/auth/me").status_code == 200  # the member is now known
        with department.connect() as db, db.cursor() as cursor:
            cursor.execute(
                "LOCK TABLES users WRITE, auth_sessions WRITE, organizations WRITE,"
                " positions WRITE, user_positions WRITE"
            )
            try:
                me = client.get("/api/v1/auth/me", timeout=10)
                settings = client.get("/api/v1/auth/session-settings", timeout=10)
            finally:
                cursor.execute("UNLOCK TABLES")
    assert me.status_code == 200
    assert me.json()["username"] == username
    assert settings.status_code == 200
