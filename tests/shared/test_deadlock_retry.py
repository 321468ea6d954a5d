"""A request whose transaction loses a deadlock runs again instead of answering 503.

One real deadlock on MariaDB (two requests locking two rows in opposite orders), and the
layer's own rules with a handler that raises the driver's deadlock error.
"""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pymysql
from litestar import Litestar, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from sqlalchemy import Select, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.app import ServiceSpec, create_service_app
from shared.db.deadlock import RETRIES
from shared.db.integrity import guarded
from shared.models import Organization
from shared.settings import Settings
from tests.support import factories
from tests.support.client import app_client

MakeSettings = Callable[..., Settings]


def deadlock() -> OperationalError:
    orig = pymysql.err.OperationalError(1213, "Deadlock found when trying to get lock")
    return OperationalError("UPDATE ...", {}, orig)


def app_failing(
    settings: Settings, failures: int, error: Callable[[], Exception]
) -> tuple[Litestar, list[Any]]:
    """An app whose one route fails `failures` times, then answers what it was sent."""
    seen: list[Any] = []

    @post("/write", status_code=200)
    async def write(data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
        seen.append(data)
        if len(seen) <= failures:
            raise error()
        return {"runs": len(seen), "data": data}

    spec = ServiceSpec(name="deadlocks", route_handlers=[write])
    return create_service_app(spec, settings), seen


class TestRules:
    async def test_a_lost_deadlock_runs_again_with_the_same_body(
        self, make_settings: MakeSettings
    ) -> None:
        app, seen = app_failing(make_settings(), 2, deadlock)
        async with app_client(app) as client:
            response = await client.post(
                "/write", json={"item": "radio"}, headers={"X-Request-ID": "dl-1"}
            )
        assert response.status_code == 200, response.text
        assert response.json() == {"runs": 3, "data": {"item": "radio"}}
        assert seen == [{"item": "radio"}] * 3
        assert response.headers["x-request-id"] == "dl-1"

    async def test_past_the_retries_it_answers_503(self, make_settings: MakeSettings) -> None:
        app, seen = app_failing(make_settings(), 99, deadlock)
        async with app_client(app) as client:
            response = await client.post("/write", json={"item": "radio"})
        assert response.status_code == 503
        assert response.json()["code"] == "LB-SYS-002"
        assert response.headers["retry-after"] == "5"
        assert len(seen) == RETRIES + 1

    async def test_other_database_errors_are_not_run_again(
        self, make_settings: MakeSettings
    ) -> None:
        def gone() -> Exception:
            orig = pymysql.err.OperationalError(2013, "Lost connection to server")
            return OperationalError("SELECT 1", {}, orig)

        app, seen = app_failing(make_settings(), 1, gone)
        async with app_client(app) as client:
            response = await client.post("/write", json={"item": "radio"})
        assert response.status_code == 503
        assert len(seen) == 1


class TestSavepoints:
    async def test_a_savepoint_gone_with_its_transaction_runs_again(
        self, make_settings: MakeSettings
    ) -> None:
        # What a deadlock inside `guarded` arrives as: the savepoint's failed rollback, alone.
        def savepoint_gone() -> Exception:
            orig = pymysql.err.OperationalError(1305, "SAVEPOINT sa_savepoint_1 does not exist")
            return OperationalError("ROLLBACK TO SAVEPOINT sa_savepoint_1", {}, orig)

        app, seen = app_failing(make_settings(), 1, savepoint_gone)
        async with app_client(app) as client:
            response = await client.post("/write", json={"item": "radio"})
        assert response.status_code == 200, response.text
        assert len(seen) == 2


Locker = Callable[[AsyncSession, uuid.UUID, uuid.UUID], Awaitable[None]]


async def opposite_orders(settings: Settings, lock: Locker) -> int:
    """Two requests running `lock` on two rows in opposite orders at once; both must answer 200.

    Returns how many times the handler ran: 3 when InnoDB rolled one back and it ran again.
    """
    runs: list[str] = []

    @post("/lock", status_code=200)
    async def locking(
        data: JSONBody[dict[str, str]], db_session: NamedDependency[AsyncSession]
    ) -> dict[str, str]:
        runs.append(data["first"])
        await lock(db_session, uuid.UUID(data["first"]), uuid.UUID(data["second"]))
        return {"done": data["first"]}

    app = create_service_app(ServiceSpec(name="deadlocks", route_handlers=[locking]), settings)
    async with app_client(app) as client:
        async with app.state.sessionmaker() as session, session.begin():
            a = (await factories.organization(session)).id
            b = (await factories.organization(session)).id
        one, two = await asyncio.gather(
            client.post("/lock", json={"first": str(a), "second": str(b)}),
            client.post("/lock", json={"first": str(b), "second": str(a)}),
        )
    assert (one.status_code, two.status_code) == (200, 200), (one.text, two.text)
    return len(runs)


def row(organization_id: uuid.UUID) -> Select[tuple[uuid.UUID]]:
    return select(Organization.id).where(Organization.id == organization_id).with_for_update()


class TestOnMariaDB:
    async def test_locking_reads_in_opposite_orders(self, make_settings: MakeSettings) -> None:
        async def lock(session: AsyncSession, first: uuid.UUID, second: uuid.UUID) -> None:
            await session.execute(row(first))
            await asyncio.sleep(0.2)  # both hold their first row before either takes its second
            await session.execute(row(second))

        assert await opposite_orders(make_settings(), lock) == 3

    async def test_a_locking_read_in_a_savepoint(self, make_settings: MakeSettings) -> None:
        async def lock(session: AsyncSession, first: uuid.UUID, second: uuid.UUID) -> None:
            await session.execute(row(first))
            await asyncio.sleep(0.2)
            async with session.begin_nested():
                await session.execute(row(second))

        assert await opposite_orders(make_settings(), lock) == 3

    async def test_writes_in_guarded_savepoints(self, make_settings: MakeSettings) -> None:
        async def lock(session: AsyncSession, first: uuid.UUID, second: uuid.UUID) -> None:
            one = await session.get(Organization, first)
            other = await session.get(Organization, second)
            assert one is not None
            assert other is not None
            one.name = f"Renamed {uuid.uuid4().hex[:6]}"
            await session.flush()
            await asyncio.sleep(0.2)
            async with guarded(session):  # as repositories write: flushed in a savepoint
                other.name = f"Renamed {uuid.uuid4().hex[:6]}"

        assert await opposite_orders(make_settings(), lock) == 3
