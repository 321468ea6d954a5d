"""The e2e `Department` of tests/e2e/department.py, in-process and rolled back per test.

Rule tests written against the gateway run here unchanged but for the fixture: the api app runs
in an event loop of its own thread (the tests are synchronous), on one connection whose outer
transaction the test's end rolls back. Members sign in with a session row and a bearer token
instead of the auth service's login; SQL of the tests runs on the same connection, so it sees
what the app wrote and the app sees what it wrote.
"""

import asyncio
import contextlib
import dataclasses
import threading
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from contextlib import AsyncExitStack
from typing import Any, TypeVar

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shared.models import MemberStatus, User
from tests.support import factories
from tests.support.department import AddsMembers, MemberValues
from tests.support.inprocess import InProcess, RunningApi, rolled_back

T = TypeVar("T")
BASE_URL = "http://testserver"


class LoopThread:
    """An event loop running in a daemon thread; synchronous code hands it coroutines."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        """The coroutine's result, run on the thread's loop."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


class LoopTransport(httpx.BaseTransport):
    """A synchronous httpx transport that hands each request to the app's loop."""

    def __init__(self, loop: LoopThread, app_transport: httpx.ASGITransport) -> None:
        self._loop = loop
        self._app = app_transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()

        async def send() -> httpx.Response:
            forwarded = httpx.Request(
                request.method, request.url, headers=request.headers, content=body
            )
            answer = await self._app.handle_async_request(forwarded)
            raw = b"".join([chunk async for chunk in answer.aiter_raw()])
            return httpx.Response(answer.status_code, headers=answer.headers, content=raw)

        return self._loop.run(send())


class Department(AddsMembers):
    """One organization and its administrator, on the in-process api of one test."""

    def __init__(self, loop: LoopThread, running: RunningApi) -> None:
        self._loop = loop
        self._stack = AsyncExitStack()
        self.api: InProcess = loop.run(self._stack.enter_async_context(rolled_back(running)))
        self._transport = LoopTransport(loop, httpx.ASGITransport(app=running.app))
        self.engine: AsyncEngine = running.engine
        self.app = running.app
        self.organization_id = self.second_organization()
        self.admin_username = f"chief{uuid.uuid4().hex[:8]}"
        create_admin(self, "", self.admin_username, organization_id=self.organization_id)

    def close(self) -> None:
        """Roll every row of the test back."""
        self._loop.run(self._stack.aclose())

    def client(self, headers: dict[str, str] | None = None) -> httpx.Client:
        """A client of the in-process api (no session unless `headers` carry one)."""
        return httpx.Client(
            transport=self._transport, base_url=BASE_URL, headers=headers, timeout=60
        )

    def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`work` done with a session on the test's connection, its writes released after."""

        async def run() -> T:
            async with self.api.seed() as session:
                return await work(session)

        return self._loop.run(run())

    def query(self, statement: str, *params: object) -> list[dict[str, Any]]:
        """Rows of one SQL statement (MariaDB's `%s` placeholders), as dicts."""

        async def run() -> list[dict[str, Any]]:
            async with self.api.seed() as session:
                connection = await session.connection()
                result = await connection.exec_driver_sql(statement, params)
                return [dict(row._mapping) for row in result] if result.returns_rows else []

        return self._loop.run(run())

    def write_member(
        self, values: MemberValues, role_slugs: Sequence[str], organization_id: str
    ) -> str:
        """The member written through the models on the test's connection; returns their id."""
        fields = {**dataclasses.asdict(values), "status": MemberStatus(values.status)}
        org = uuid.UUID(organization_id)

        async def run() -> str:
            async with self.api.seed() as session:
                user = await factories.member(session, org, role_slugs, **fields)
                return str(user.id)

        return self._loop.run(run())

    def add_role(
        self,
        permissions: list[str] | None = None,
        organization_id: str | None = None,
        **fields: object,
    ) -> str:
        """A custom role of the department (or of another organization); returns its id."""
        org = uuid.UUID(organization_id or self.organization_id)

        async def run(session: AsyncSession) -> str:
            return str((await factories.role(session, org, permissions or [], **fields)).id)

        return self.run(run)

    def assign(self, user_id: str, role_id: str) -> None:
        """Give the member one more role."""

        async def run(session: AsyncSession) -> None:
            await factories.assign(session, uuid.UUID(user_id), uuid.UUID(role_id))

        self.run(run)

    def second_organization(self, name: str | None = None) -> str:
        """Another organization (with its system roles), for tenancy tests."""
        fields = {"name": name} if name else {}

        async def run() -> str:
            async with self.api.seed() as session:
                return str((await factories.organization(session, **fields)).id)

        return self._loop.run(run())

    @contextlib.contextmanager
    def signed_in(self, username: str) -> Iterator[httpx.Client]:
        """A client with a live session of the member `username`."""

        async def sign_in() -> dict[str, str]:
            async with self.api.seed() as session:
                user = await session.scalar(select(User).where(User.username == username))
                assert user is not None, f"no member {username!r}"
                return await factories.session_headers(session, self.api.settings, user)

        with self.client(self._loop.run(sign_in())) as client:
            yield client


def create_admin(
    department: Department, org_name: str, username: str, *, organization_id: str | None = None
) -> None:
    """What `logbook create-admin` makes: an organization named `org_name` (or the given one)
    and its administrator `username`, holding the IT manager and member roles."""
    organization = organization_id or department.second_organization(org_name)
    department.add_member(
        "it_manager",
        "member",
        organization_id=organization,
        first_name="Dana",
        last_name="Reyes",
        username=username,
    )
