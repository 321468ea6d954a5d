"""What the requirement, member-read and matrix tests share: paths, the organization's today,
seeded requirements, waivers and leaves, and GET helpers."""

import uuid
from datetime import date, datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from api.training.basis import BasisCache
from shared.db.on_commit import on_commit
from shared.models import Organization, User
from tests.api.department import Department
from tests.api.training_support import BASE, org_id
from tests.support import factories

REQUIREMENTS = f"{BASE}/requirements"
MATRIX = f"{BASE}/compliance-matrix"
MY_TRAINING = f"{BASE}/module-config/my-training"
EXPIRING_RECORDS = f"{BASE}/certifications/expiring"
EXPIRING = f"{BASE}/expiring-certifications"
ZONE = ZoneInfo("America/New_York")  # a new organization's zone


def stats_path(user_id: str) -> str:
    return f"{BASE}/stats/user/{user_id}"


def summary_path(user_id: str) -> str:
    return f"{BASE}/compliance-summary/{user_id}"


def progress_path(user_id: str) -> str:
    return f"{REQUIREMENTS}/progress/{user_id}"


def today() -> date:
    """The department's local date (America/New_York unless a test moves it)."""
    return datetime.now(ZONE).date()


def basis_changed(dept: Department, session: AsyncSession, organization_id: uuid.UUID) -> None:
    """What the event of a change through the API does: the organization's basis (its terms,
    requirements, waivers and leaves, `api.training.basis`) dropped once the write commits.
    The helpers here write behind the API's back."""
    cache: BasisCache = dept.app.state.training_basis
    on_commit(session, partial(cache.forget, organization_id))


def seed_requirement(dept: Department, organization_id: str | None = None, **fields: Any) -> str:
    """A requirement written directly (annual, 10 hours, everyone, unless given); its id."""

    async def run(session: AsyncSession) -> str:
        organization = org_id(dept, organization_id)
        row = await factories.training_requirement(session, organization, **fields)
        basis_changed(dept, session, organization)
        return str(row.id)

    return dept.run(run)


def seed_waiver(dept: Department, user_id: str, **fields: Any) -> str:
    async def run(session: AsyncSession) -> str:
        row = await factories.training_waiver(session, org_id(dept), uuid.UUID(user_id), **fields)
        basis_changed(dept, session, org_id(dept))
        return str(row.id)

    return dept.run(run)


def seed_leave(dept: Department, user_id: str, **fields: Any) -> str:
    async def run(session: AsyncSession) -> str:
        row = await factories.leave_of_absence(session, org_id(dept), uuid.UUID(user_id), **fields)
        basis_changed(dept, session, org_id(dept))
        return str(row.id)

    return dept.run(run)


def set_member(dept: Department, user_id: str, **fields: Any) -> None:
    """Change columns of the member's row (membership type, exemption) directly."""

    async def run(session: AsyncSession) -> None:
        user = await session.get(User, uuid.UUID(user_id))
        assert user is not None
        for key, value in fields.items():
            setattr(user, key, value)
        await session.flush()

    dept.run(run)


def set_settings(dept: Department, settings: dict[str, Any]) -> None:
    """Replace the organization's settings document directly."""
    set_organization(dept, settings=settings)


def set_organization(dept: Department, **fields: Any) -> None:
    """Change columns of the organization's row (its zone, its settings) directly."""

    async def run(session: AsyncSession) -> None:
        organization = await session.get(Organization, org_id(dept))
        assert organization is not None
        for key, value in fields.items():
            setattr(organization, key, value)
        await session.flush()
        basis_changed(dept, session, organization.id)

    dept.run(run)


def get_json(dept: Department, username: str, path: str, **params: Any) -> Any:
    """The body of a 200 GET by the member (asserted)."""
    with dept.signed_in(username) as client:
        response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def status_of(dept: Department, username: str, method: str, path: str, **kwargs: Any) -> int:
    with dept.signed_in(username) as client:
        return client.request(method, path, **kwargs).status_code
