"""An organization on the worker's MariaDB and the api app in-process, with signed-in members.

Each member gets a real `AuthSession` row and a signed access token sent as a bearer, as the
gateway would send the cookie; no NATS (sessions are then checked in the database).

`org` is the worker's shared api app with the test's rows rolled back (tests/support/inprocess.py
says what that cannot show). `org_own_app` builds an app and engine of its own that commit for
real, at a second's cost per test: only for requests at the same moment (each on a connection of
its own) and for records that must outlive a refused request's rollback.
"""

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.app import create_app as create_api
from shared.db.encrypted import install_field_key
from shared.db.session import create_engine, create_sessionmaker
from shared.models import User
from shared.settings import Settings
from tests.support import factories
from tests.support.client import app_client
from tests.support.inprocess import NO_NATS, InProcess


@dataclass
class SignedInOrganization:
    """One organization, its api client and a way to sign members in."""

    settings: Settings
    organization_id: uuid.UUID
    sessions: async_sessionmaker[AsyncSession]
    api: httpx.AsyncClient
    admin: dict[str, str]  # headers of an IT manager (every permission)

    async def member(self, role: str = "member", **fields: object) -> tuple[User, dict[str, str]]:
        """A new member holding `role`, and the headers of a live session of theirs."""
        async with self.sessions() as session:
            user = await factories.member(session, self.organization_id, [role], **fields)
            headers = await factories.session_headers(session, self.settings, user)
            await session.commit()
        return user, headers


async def _with_it_manager(department: SignedInOrganization) -> SignedInOrganization:
    _, department.admin = await department.member("it_manager")
    return department


@pytest.fixture(name="org")
async def signed_in_organization(inprocess: InProcess) -> SignedInOrganization:
    """A fresh organization with an IT manager signed in to the worker's api app; the test's
    end rolls back every row of it."""
    async with inprocess.seed() as session:
        organization_id = (await factories.organization(session, name="Station 9")).id
    return await _with_it_manager(
        SignedInOrganization(
            inprocess.settings, organization_id, inprocess.sessions, inprocess.api, {}
        )
    )


@pytest.fixture(name="org_own_app")
async def own_app_organization(
    make_settings: Callable[..., Settings],
) -> AsyncIterator[SignedInOrganization]:
    """A fresh organization with an IT manager signed in to an api app of its own, whose every
    session is a connection and transaction of its own; its rows stay committed."""
    settings = make_settings(nats_url=NO_NATS)
    install_field_key(settings)
    engine = create_engine(settings.resolved_database_url())
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as session:
        organization_id = (await factories.organization(session, name="Station 9")).id
        await session.commit()
    try:
        async with app_client(create_api(settings, sessionmaker=sessionmaker)) as api:
            yield await _with_it_manager(
                SignedInOrganization(settings, organization_id, sessionmaker, api, {})
            )
    finally:
        await engine.dispose()


@pytest.fixture(name="org")
def org_on_own_app(org_own_app: SignedInOrganization) -> SignedInOrganization:
    """`org` as `org_own_app`, for a module whose every test needs an app of its own (requests
    at the same moment need connections of their own; a record kept apart must be committed):
    the module imports this fixture instead of `signed_in_organization`, and says why."""
    return org_own_app
