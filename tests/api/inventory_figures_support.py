"""What the inventory figure and holdings tests share: paths, callers and seeded holder rows."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.models import TrackingType
from tests.api.department import Department
from tests.api.inventory_support import BASE, org_id, seed_item
from tests.support import factories

SUMMARY = f"{BASE}/summary"
BY_LOCATION = f"{BASE}/summary/by-location"
LOW_STOCK = f"{BASE}/low-stock"
MEMBERS = f"{BASE}/members-summary"
VIEW = "inventory.view"
MANAGE = "inventory.manage"
NOW = datetime.now(UTC).replace(microsecond=0)


def person(
    dept: Department, *permissions: str, organization_id: str | None = None, **fields: Any
) -> tuple[str, str]:
    """A member holding exactly `permissions` (none: a plain member); (id, username)."""

    async def run(session: AsyncSession) -> tuple[str, str]:
        found = await factories.member(session, org_id(dept, organization_id), **fields)
        return str(found.id), found.username

    user_id, username = dept.run(run)
    if permissions:
        dept.assign(user_id, dept.add_role(list(permissions), organization_id=organization_id))
    return user_id, username


def location(dept: Department, name: str, organization_id: str | None = None) -> str:
    async def run(session: AsyncSession) -> str:
        found = await factories.location(session, org_id(dept, organization_id), name=name)
        return str(found.id)

    return dept.run(run)


def get(dept: Department, username: str, path: str, **params: Any) -> Any:
    with dept.signed_in(username) as client:
        response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def pool(dept: Department, on_hand: int, **fields: Any) -> str:
    return seed_item(dept, tracking_type=TrackingType.POOL, quantity=on_hand, **fields)
