"""The in-process fixture: what a test commits through the app it sees, and nothing outlives it."""

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.models import Organization, Position, User
from tests.support.inprocess import InProcess, RunningApi

BOTH = pytest.mark.parametrize("database_kind", ["mariadb", "sqlite"])
LEFT_BEHIND: dict[str, uuid.UUID] = {}


async def organization_rows(engine: AsyncEngine, organization_id: uuid.UUID) -> int:
    """Rows of the organization seen from outside the test's transaction."""
    async with async_sessionmaker(engine)() as session:
        found = await session.scalar(
            select(func.count()).select_from(User).where(User.organization_id == organization_id)
        )
        found += await session.scalar(
            select(func.count()).select_from(Organization).where(Organization.id == organization_id)
        )
    return int(found or 0)


async def count(
    session: AsyncSession, model: type[User | Position], organization_id: uuid.UUID
) -> int:
    statement = (
        select(func.count()).select_from(model).where(model.organization_id == organization_id)
    )
    return int(await session.scalar(statement) or 0)


@BOTH
async def test_the_app_sees_the_tests_rows_and_the_test_sees_the_apps(
    inprocess: InProcess, database_kind: str
) -> None:
    organization_id, admin = await inprocess.department()
    assert inprocess.kind == database_kind
    response = await inprocess.api.post(
        "/api/v1/users",
        headers=admin,
        json={
            "username": "quinn.rivera",
            "email": f"quinn.{uuid.uuid4().hex[:8]}@station9.example.org",
            "first_name": "Quinn",
            "last_name": "Rivera",
        },
    )
    assert response.status_code == 201, response.text
    async with inprocess.sessions() as session:
        assert await count(session, User, organization_id) == 2
        assert await count(session, Position, organization_id) > 0
    LEFT_BEHIND[database_kind] = organization_id


@BOTH
async def test_nothing_of_an_earlier_test_is_left(running: RunningApi, database_kind: str) -> None:
    assert database_kind in LEFT_BEHIND, "runs after the test above (same module, same worker)"
    assert await organization_rows(running.engine, LEFT_BEHIND[database_kind]) == 0


@BOTH
async def test_a_failed_request_rolls_back_only_its_own_writes(inprocess: InProcess) -> None:
    organization_id, admin = await inprocess.department()
    body = {
        "username": "same.name",
        "email": f"same.{uuid.uuid4().hex[:8]}@station9.example.org",
        "first_name": "Quinn",
        "last_name": "Rivera",
    }
    assert (await inprocess.api.post("/api/v1/users", headers=admin, json=body)).status_code == 201
    clash = await inprocess.api.post("/api/v1/users", headers=admin, json=body)
    assert clash.status_code == 409, clash.text
    async with inprocess.sessions() as session:
        assert await count(session, User, organization_id) == 2
