"""An organization on the worker's MariaDB and the api app in-process, with signed-in members.

Each member gets a real `AuthSession` row and a signed access token sent as a bearer, as the
gateway would send the cookie; no NATS (sessions are then checked in the database).
"""

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.app import create_app as create_api
from shared.catalog.seed import ensure_system_roles
from shared.db.encrypted import install_field_key
from shared.db.session import create_engine, create_sessionmaker
from shared.models import AuthSession, Organization, User, UserPosition
from shared.settings import Settings
from shared.tokens import issue_access_token
from tests.support.client import app_client

NO_NATS = "nats://127.0.0.1:1"  # nothing listens: no event stream, sessions checked in the DB


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
            roles = await ensure_system_roles(session, self.organization_id)
            user = new_member(self.organization_id, **fields)
            user.positions = [UserPosition(position_id=roles[role].id)]
            session.add(user)
            await session.flush()
            live = AuthSession(
                user_id=user.id, organization_id=self.organization_id, refresh_hash=uuid.uuid4().hex
            )
            session.add(live)
            await session.commit()
        token = issue_access_token(
            self.settings,
            user_id=user.id,
            organization_id=self.organization_id,
            session_id=live.id,
            username=user.username,
        )
        return user, {"Authorization": f"Bearer {token}"}


def new_member(organization_id: uuid.UUID, **fields: object) -> User:
    """An unsaved active member with unique username and email."""
    name = f"m{uuid.uuid4().hex[:12]}"
    values: dict[str, object] = {
        "organization_id": organization_id,
        "username": name,
        "email": f"{name}@station9.example.org",
        "first_name": "Quinn",
        "last_name": name,
        "must_change_password": False,
        **fields,
    }
    return User(**values)


@pytest.fixture(name="org")
async def signed_in_organization(
    make_settings: Callable[..., Settings],
) -> AsyncIterator[SignedInOrganization]:
    """A fresh organization with an IT manager signed in to the in-process api."""
    settings = make_settings(nats_url=NO_NATS)
    install_field_key(settings)
    engine = create_engine(settings.resolved_database_url())
    sessionmaker = create_sessionmaker(engine)
    organization_id = uuid.uuid4()
    async with sessionmaker() as session:
        session.add(Organization(id=organization_id, name="Station 9", slug=f"s-{organization_id}"))
        await session.commit()
    try:
        async with app_client(create_api(settings, sessionmaker=sessionmaker)) as api:
            department = SignedInOrganization(settings, organization_id, sessionmaker, api, {})
            _, department.admin = await department.member("it_manager")
            yield department
    finally:
        await engine.dispose()
