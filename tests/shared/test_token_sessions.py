"""A token is served only for a live session of its member, in the member's own organization.

Regression for issue 10 F2: a token signed with the real key but a made-up session id was
accepted, and the api scoped data by the token's `org_id` claim, so a member of one organization
could list another's members (and a random `org_id` gave a 500). Also the database fallback of
F1: while an instance cannot trust the revocation stream (here: no NATS at all), a session ended
in the database is refused at once. The api and auth apps run in-process on the worker's MariaDB.
"""

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import update

from api.app import create_app as create_api
from auth.app import create_app as create_auth
from auth.tokens import issue_access_token
from shared.catalog.seed import ensure_system_roles
from shared.db.encrypted import install_field_key
from shared.db.session import create_engine, create_sessionmaker
from shared.db.types import utc_now
from shared.models import AuthSession, Organization, User, UserPosition
from shared.settings import Settings
from tests.support.client import app_client
from tests.support.servers import NatsServer
from tests.support.waiting import wait_for

USERS = "/api/v1/users"
ME = "/api/v1/auth/me"
NO_NATS = "nats://127.0.0.1:1"  # nothing listens: the revocation stream is never current


@dataclass
class Departments:
    settings: Settings
    admin: User  # an administrator of the first department
    session_id: uuid.UUID  # the administrator's live session
    other_organization: uuid.UUID
    api: httpx.AsyncClient
    auth: httpx.AsyncClient
    apps: tuple[Litestar, Litestar]

    def all_current(self) -> bool:
        return all(app.state.liveness.current for app in self.apps)

    def token(self, *, session_id: uuid.UUID | None = None, org: uuid.UUID | None = None) -> str:
        return issue_access_token(
            self.settings,
            user_id=self.admin.id,
            organization_id=org or self.admin.organization_id,
            session_id=session_id or self.session_id,
            username=self.admin.username,
        )


def _member(organization_id: uuid.UUID) -> User:
    name = f"m{uuid.uuid4().hex[:12]}"
    return User(
        organization_id=organization_id,
        username=name,
        email=f"{name}@station9.example.org",
        first_name="Quinn",
        last_name=name,
        must_change_password=False,
    )


@contextlib.asynccontextmanager
async def two_departments(settings: Settings) -> AsyncIterator[Departments]:
    """Two organizations, an administrator of the first with a live session, and both apps."""
    install_field_key(settings)
    engine = create_engine(settings.resolved_database_url())
    sessionmaker = create_sessionmaker(engine)
    first, second = uuid.uuid4(), uuid.uuid4()
    async with sessionmaker() as session:
        for org in (first, second):
            session.add(Organization(id=org, name=f"Station {org.hex[:6]}", slug=f"s-{org}"))
        await session.flush()
        roles = await ensure_system_roles(session, first)
        admin = _member(first)
        admin.positions = [UserPosition(position_id=roles["it_manager"].id)]
        session.add_all([admin, _member(second)])
        await session.flush()
        live = AuthSession(user_id=admin.id, organization_id=first, refresh_hash=uuid.uuid4().hex)
        session.add(live)
        await session.commit()
    apps = (
        create_api(settings, sessionmaker=sessionmaker),
        create_auth(settings, sessionmaker=sessionmaker),
    )
    try:
        async with app_client(apps[0]) as api, app_client(apps[1]) as auth:
            yield Departments(settings, admin, live.id, second, api, auth, apps)
    finally:
        await engine.dispose()


@pytest.fixture
async def departments(make_settings: Callable[..., Settings]) -> AsyncIterator[Departments]:
    async with two_departments(make_settings(nats_url=NO_NATS)) as running:
        yield running


async def end_in_database(departments: Departments) -> None:
    """End the session as auth does, without the event (still in auth's outbox, say)."""
    engine = create_engine(departments.settings.resolved_database_url())
    try:
        async with engine.begin() as connection:
            await connection.execute(
                update(AuthSession)
                .where(AuthSession.id == departments.session_id)
                .values(revoked_at=utc_now(), revoke_reason="logout")
            )
    finally:
        await engine.dispose()


async def statuses(departments: Departments, token: str) -> tuple[int, int]:
    """What the api's member list and auth's /auth/me answer to `token`."""
    headers = {"Authorization": f"Bearer {token}"}
    api = await departments.api.get(USERS, headers=headers)
    auth = await departments.auth.get(ME, headers=headers)
    for response in (api, auth):
        if response.status_code == 401:
            assert response.json()["code"] == "LB-AUTH-002", response.text
    return api.status_code, auth.status_code


class TestTokensBoundToSessions:
    async def test_a_token_of_a_live_session_is_served(self, departments: Departments) -> None:
        assert await statuses(departments, departments.token()) == (200, 200)

    async def test_a_made_up_session_id_is_refused(self, departments: Departments) -> None:
        token = departments.token(session_id=uuid.uuid4())
        assert await statuses(departments, token) == (401, 401)

    async def test_another_organizations_id_is_refused(self, departments: Departments) -> None:
        token = departments.token(org=departments.other_organization)
        assert await statuses(departments, token) == (401, 401)

    async def test_an_unknown_organization_id_is_refused_not_a_500(
        self, departments: Departments
    ) -> None:
        assert await statuses(departments, departments.token(org=uuid.uuid4())) == (401, 401)


class TestWithoutTheRevocationStream:
    async def test_a_session_ended_in_the_database_is_refused_at_once(
        self, departments: Departments
    ) -> None:
        token = departments.token()
        assert await statuses(departments, token) == (200, 200)
        await end_in_database(departments)
        assert await statuses(departments, token) == (401, 401)

    async def test_the_internal_health_says_sessions_are_checked_in_the_database(
        self, departments: Departments
    ) -> None:
        response = await departments.api.get("/internal/health")
        assert response.json() == {
            "status": "ok",
            "service": "api",
            "sessions": "database",
            "events": "catching_up",
        }


class TestAfterANatsOutage:
    async def test_a_session_ended_during_the_outage_is_refused_once_nats_is_back(
        self, make_settings: Callable[..., Settings], nats_server: NatsServer
    ) -> None:
        """Its event may still wait in auth's outbox: the stream being current is not enough."""
        async with two_departments(make_settings(nats_url=nats_server.url)) as departments:
            await wait_for(departments.all_current, what="revocation streams current")
            token = departments.token()
            assert await statuses(departments, token) == (200, 200)  # checked, then trusted

            nats_server.stop()
            await wait_for(lambda: not departments.all_current(), what="streams not current")
            await end_in_database(departments)
            nats_server.start()
            await wait_for(departments.all_current, what="streams current again")

            assert await statuses(departments, token) == (401, 401)
