"""A running platform on MariaDB with a department of members holding chosen roles.

Members are written with SQL (the api's own `POST /users` is under test elsewhere), with one
Argon2 hash computed once per process, then signed in through the gateway like a browser.
"""

import asyncio
import contextlib
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
import pymysql

from auth.members import bootstrap
from auth.members.bootstrap import AdminRequest
from auth.passwords.worker import cost_named
from shared.db.migrate import migrate
from shared.db.session import create_engine, create_sessionmaker
from tests.conftest import MARIADB, mariadb_database
from tests.e2e.stack import PLATFORM_HASH_COST, Stack, start_stack
from tests.support.department import AddsMembers, MemberValues

PASSWORD = "Engine-Seven-Rolls#2026"
FIRST_ORGANIZATION = "Station 9 Fire Rescue"


@lru_cache(maxsize=1)
def password_hash() -> str:
    """One Argon2 hash of PASSWORD at the platforms' cost, reused for every member a test creates
    (a hash of another cost would be verified at its own cost, then replaced at sign-in)."""
    return cost_named(PLATFORM_HASH_COST).hasher.hash(PASSWORD)


@dataclass
class Department(AddsMembers):
    """A stack, its MariaDB database, and the organization `create-admin` made."""

    stack: Stack
    database_url: str
    db_name: str
    organization_id: str
    admin_username: str

    @property
    def gateway(self) -> str:
        return self.stack.gateway

    def connect(self) -> "pymysql.connections.Connection[Any]":
        """A direct connection to the department's database (autocommit)."""
        return pymysql.connect(**MARIADB, database=self.db_name, autocommit=True)

    def query(self, statement: str, *params: object) -> list[dict[str, Any]]:
        """Rows of one SQL statement, as dicts."""
        with self.connect() as db, db.cursor(pymysql.cursors.DictCursor) as cursor:
            cursor.execute(statement, params)
            return list(cursor.fetchall())

    def write_member(
        self, values: MemberValues, role_slugs: Sequence[str], organization_id: str
    ) -> str:
        """The member written with SQL, committed at once; returns their id."""
        user_id, org = str(uuid.uuid4()), organization_id.replace("-", "")
        with self.connect() as db, db.cursor() as cursor:
            cursor.execute(
                "INSERT INTO users (id, organization_id, username, username_lower, email,"
                " email_lower, first_name, last_name, rank, status, password_hash,"
                " password_changed_at, must_change_password, email_verified, mfa_enabled,"
                " failed_login_attempts, compliance_exempt, membership_type, created_at,"
                " updated_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,UTC_TIMESTAMP(6),0,1,0,0,0,"
                "'active',UTC_TIMESTAMP(6),UTC_TIMESTAMP(6))",
                (
                    user_id.replace("-", ""),
                    org,
                    values.username,
                    values.username,
                    values.email,
                    values.email,
                    values.first_name,
                    values.last_name,
                    values.rank,
                    values.status,
                    password_hash(),
                ),
            )
            for slug in role_slugs:
                cursor.execute(
                    "INSERT INTO user_positions (user_id, position_id, assigned_at)"
                    " SELECT %s, id, UTC_TIMESTAMP(6) FROM positions"
                    " WHERE organization_id = %s AND slug = %s",
                    (user_id.replace("-", ""), org, slug),
                )
                assert cursor.rowcount == 1, f"no role {slug!r} in organization {organization_id}"
        return user_id

    def second_organization(self) -> str:
        """Another department in the same database (with its system roles), for tenancy tests."""
        name = f"Other {uuid.uuid4().hex[:6]}"
        create_admin(self, name, f"o{uuid.uuid4().hex[:10]}")
        rows = self.query("SELECT id FROM organizations WHERE name = %s", name)
        return str(uuid.UUID(rows[0]["id"]))

    @contextlib.contextmanager
    def signed_in(self, username: str) -> Iterator[httpx.Client]:
        """A browser-like client signed in as `username`, sending the CSRF header."""
        with httpx.Client(base_url=self.gateway, timeout=20) as client:
            response = client.post(
                "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
            )
            assert response.status_code == 200, response.text
            client.headers["X-CSRF-Token"] = client.cookies["csrf_token"]
            yield client


def create_admin(department: Department | str, org_name: str, username: str) -> None:
    """What `logbook create-admin` does (migrate, then the organization and its administrator),
    called in-process: the command's own process would cost a second or two of start-up."""
    url = department.database_url if isinstance(department, Department) else department
    request = AdminRequest(
        organization_name=org_name,
        email=f"{username}@station9.example.org",
        username=username,
        password=PASSWORD,
        first_name="Dana",
        last_name="Reyes",
    )
    asyncio.run(_create_admin(url, request))


async def _create_admin(url: str, request: AdminRequest) -> None:
    engine = create_engine(url)
    try:
        await migrate(engine)
        await bootstrap.create_admin(create_sessionmaker(engine), request)
    finally:
        await engine.dispose()


@dataclass
class Platform:
    """A running platform on a MariaDB database of its own, which may hold many organizations."""

    stack: Stack
    database_url: str
    db_name: str

    def department(self, org_name: str, admin_username: str) -> Department:
        """The organization `create-admin` made under `org_name`, with its administrator."""
        with pymysql.connect(**MARIADB, database=self.db_name) as db, db.cursor() as rows:
            rows.execute("SELECT id FROM organizations WHERE name = %s", (org_name,))
            (org_id,) = rows.fetchone()
        organization_id = str(uuid.UUID(str(org_id)))
        return Department(
            self.stack, self.database_url, self.db_name, organization_id, admin_username
        )

    def new_department(self) -> Department:
        """An organization and administrator of its own (sign-in by username is global, so the
        administrator's username is unique too): tenancy keeps the modules sharing one platform
        apart."""
        token = uuid.uuid4().hex[:8]
        org_name, admin_username = f"Station {token} Fire Rescue", f"chief{token}"
        create_admin(self.database_url, org_name, admin_username)
        return self.department(org_name, admin_username)


@contextlib.contextmanager
def running_platform(
    tmp_path: Path, name: str, *, first_admin: str | None = None, **env: str
) -> Iterator[Platform]:
    """A platform on a fresh MariaDB database; `first_admin` creates its first organization
    before the services start, as an operator does."""
    db_name = f"logbook_e2e_{name}_{uuid.uuid4().hex[:8]}"
    for url in mariadb_database(db_name):
        if first_admin:
            create_admin(url, FIRST_ORGANIZATION, first_admin)
        stack = start_stack(tmp_path, DATABASE_URL=url, RATE_LIMIT_MULTIPLIER="100", **env)
        try:
            yield Platform(stack, url, db_name)
        finally:
            stack.stop()


@contextlib.contextmanager
def running_department(tmp_path: Path, name: str, **env: str) -> Iterator[Department]:
    """A platform of its own with one organization and its administrator `chief`, for a module
    that needs special settings or stops parts of the platform (others use `shared_platform`)."""
    with running_platform(tmp_path, name, first_admin="chief", **env) as platform:
        yield platform.department(FIRST_ORGANIZATION, "chief")
