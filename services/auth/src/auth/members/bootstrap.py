"""`logbook create-admin`: the first organization and its administrator."""

import asyncio
import getpass
import re
import sys
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.passwords.hashing import hash_password, use_hash_cost
from auth.passwords.rules import password_problems, policy_message
from auth.repository import BootstrapRepository
from shared.catalog.seed import ensure_system_roles
from shared.db.migrate import MigrationError
from shared.db.session import DatabaseUnreachableError, create_engine, create_sessionmaker
from shared.db.types import utc_now
from shared.models import Organization, User
from shared.settings import Settings
from shared.startup import load_settings, prepare_database

EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_-]{3,100}")
MAX_TEXT = 255  # the column sizes of organizations.name and users.email
MAX_NAME = 100  # users.first_name and users.last_name
# No control characters: a name shows in the member list, logs and exports.
NAME_PATTERN = re.compile(r"[^\x00-\x1f\x7f-\x9f]+")


class BootstrapError(Exception):
    """The administrator cannot be created; the message says why. Nothing was written."""


@dataclass(frozen=True)
class AdminRequest:
    """What the operator typed."""

    organization_name: str
    email: str
    username: str
    password: str
    first_name: str
    last_name: str


def slugify(name: str) -> str:
    """Lower-case, runs of other characters become `_`, trimmed."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "department"


def check_request(request: AdminRequest) -> None:
    """Refuse bad input before touching the database."""
    if not request.organization_name.strip() or len(request.organization_name) > MAX_TEXT:
        raise BootstrapError("the organization name must have 1 to 255 characters")
    if not EMAIL_PATTERN.fullmatch(request.email) or len(request.email) > MAX_TEXT:
        raise BootstrapError(f"{request.email!r} is not a valid email address")
    if not USERNAME_PATTERN.fullmatch(request.username):
        raise BootstrapError("the username needs 3 to 100 letters, digits, '_' or '-'")
    for label, value in (("first name", request.first_name), ("last name", request.last_name)):
        if not value.strip() or len(value) > MAX_NAME or not NAME_PATTERN.fullmatch(value):
            raise BootstrapError(f"the {label} must have 1 to {MAX_NAME} visible characters")
    problems = password_problems(request.password)
    if problems:
        raise BootstrapError(f"the password is too weak: {policy_message(problems)}")


async def create_admin(
    sessionmaker: async_sessionmaker[AsyncSession], request: AdminRequest
) -> User:
    """Create the organization (or reuse the one of that name), its roles and the admin."""
    check_request(request)
    email, username = request.email.strip().lower(), request.username.strip()
    async with sessionmaker() as session, session.begin():
        repository = BootstrapRepository(session)
        if await repository.username_or_email_taken(username, email):
            raise BootstrapError("a member with this username or email already exists")
        organization = await _organization(repository, request.organization_name.strip())
        admin = User(
            organization_id=organization.id,
            username=username,
            username_lower=username.lower(),
            email=email,
            email_lower=email,
            first_name=request.first_name.strip(),
            last_name=request.last_name.strip(),
            password_hash=await hash_password(request.password),
            password_changed_at=utc_now(),
            must_change_password=False,
            failed_login_attempts=0,
        )
        await repository.add(admin)
        roles = await ensure_system_roles(session, organization.id)
        for slug in ("it_manager", "member"):
            repository.assign_role(admin.id, roles[slug].id)
    return admin


async def _organization(repository: BootstrapRepository, name: str) -> Organization:
    existing = await repository.organization_named(name)
    if existing is not None:
        return existing
    slug, n = slugify(name), 1
    while await repository.organization_slug_taken(slug):
        n += 1
        slug = f"{slugify(name)}_{n}"
    organization = Organization(name=name, slug=slug, settings={}, active=True)
    await repository.add(organization)
    return organization


def read_name(value: str | None, label: str) -> str:
    """The option's value; missing, asked for at a terminal, else an error (no nameless admin)."""
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise BootstrapError(f"the {label} is required (--{label.replace(' ', '-')})")
    return input(f"{label.capitalize()} of the administrator: ")


def read_password() -> str:
    """From standard input when scripted, else prompted twice without echo."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password for the administrator: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise BootstrapError("the two passwords differ")
    return first


async def _run(settings: Settings, request: AdminRequest) -> User:
    use_hash_cost(settings.password_hash_cost)
    await prepare_database(settings)  # waits for the database and migrates it
    engine = create_engine(settings.resolved_database_url(), ssl_ca=settings.db_ssl_ca)
    try:
        return await create_admin(create_sessionmaker(engine), request)
    finally:
        await engine.dispose()


def main(
    organization_name: str,
    email: str,
    username: str,
    first_name: str | None = None,
    last_name: str | None = None,
) -> int:
    """The `create-admin` command; returns the exit code."""
    try:
        first_name = read_name(first_name, "first name")
        last_name = read_name(last_name, "last name")
        request = AdminRequest(
            organization_name, email, username, read_password(), first_name, last_name
        )
        check_request(request)
        admin = asyncio.run(_run(load_settings("create-admin"), request))
    except (BootstrapError, DatabaseUnreachableError, MigrationError) as exc:
        sys.stderr.write(f"ERROR: {exc}. Nothing was created.\n")
        return 1
    sys.stdout.write(f"Created administrator {admin.username} of {organization_name!r}.\n")
    return 0
