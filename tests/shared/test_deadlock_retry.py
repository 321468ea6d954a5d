"""A request whose transaction loses a deadlock runs again instead of answering 503.

One real deadlock on MariaDB (two requests locking two rows in opposite orders), and the
layer's own rules with a handler that raises the driver's deadlock error.
"""

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pymysql
import pytest
from litestar import Litestar, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from sqlalchemy import select
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


class TestOnMariaDB:
    # In a savepoint (as `guarded` writes) the deadlock reaches the handler as the failed
    # rollback of a savepoint InnoDB already dropped; it is still a deadlock.
    @pytest.mark.parametrize("in_savepoint", [False, True])  # a locking read in a savepoint
    async def test_two_requests_locking_in_opposite_orders_both_succeed(
        self, make_settings: MakeSettings, in_savepoint: bool
    ) -> None:
        settings = make_settings()
        runs: list[str] = []

        @post("/lock", status_code=200)
        async def lock(
            data: JSONBody[dict[str, str]], db_session: NamedDependency[AsyncSession]
        ) -> dict[str, str]:
            runs.append(data["first"])
            first, second = (
                select(Organization.id).where(Organization.id == uuid.UUID(data[key]))
                for key in ("first", "second")
            )
            await db_session.execute(first.with_for_update())
            await asyncio.sleep(0.2)  # both hold their first row before either takes its second
            if in_savepoint:
                async with db_session.begin_nested():
                    await db_session.execute(second.with_for_update())
            else:
                await db_session.execute(second.with_for_update())
            return {"done": data["first"]}

        app = create_service_app(ServiceSpec(name="deadlocks", route_handlers=[lock]), settings)
        async with app_client(app) as client:
            async with app.state.sessionmaker() as session, session.begin():
                a = (await factories.organization(session)).id
                b = (await factories.organization(session)).id
            one, two = await asyncio.gather(
                client.post("/lock", json={"first": str(a), "second": str(b)}),
                client.post("/lock", json={"first": str(b), "second": str(a)}),
            )
        assert (one.status_code, two.status_code) == (200, 200), (one.text, two.text)
        assert len(runs) == 3  # InnoDB rolled one back; it ran again after the other committed

    async def test_writes_meeting_in_guarded_savepoints_both_succeed(
        self, make_settings: MakeSettings
    ) -> None:
        settings = make_settings()
        runs: list[str] = []

        @post("/rename", status_code=200)
        async def rename(
            data: JSONBody[dict[str, str]], db_session: NamedDependency[AsyncSession]
        ) -> dict[str, str]:
            runs.append(data["first"])
            first = await db_session.get(Organization, uuid.UUID(data["first"]))
            second = await db_session.get(Organization, uuid.UUID(data["second"]))
            assert first is not None
            assert second is not None
            first.name = f"Renamed {uuid.uuid4().hex[:6]}"
            await db_session.flush()
            await asyncio.sleep(0.2)  # both hold their first row before either writes its second
            async with guarded(db_session):  # as repositories write: flushed in a savepoint
                second.name = f"Renamed {uuid.uuid4().hex[:6]}"
            return {"done": data["first"]}

        app = create_service_app(ServiceSpec(name="deadlocks", route_handlers=[rename]), settings)
        async with app_client(app) as client:
            async with app.state.sessionmaker() as session, session.begin():
                a = (await factories.organization(session)).id
                b = (await factories.organization(session)).id
            one, two = await asyncio.gather(
                client.post("/rename", json={"first": str(a), "second": str(b)}),
                client.post("/rename", json={"first": str(b), "second": str(a)}),
            )
        assert (one.status_code, two.status_code) == (200, 200), (one.text, two.text)
        assert len(runs) == 3
