"""What the inventory tests share: paths, seeded rows and the members who call."""

import uuid
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models import InventoryCategory, InventoryItem, StorageArea
from tests.api.department import Department
from tests.support import factories

BASE = "/api/v1/inventory"
CATEGORIES = f"{BASE}/categories"
ITEMS = f"{BASE}/items"
LOOKUP = f"{BASE}/lookup"
AREAS = f"{BASE}/storage-areas"


def org_id(dept: Department, organization_id: str | None = None) -> uuid.UUID:
    return uuid.UUID(organization_id or dept.organization_id)


def seed_category(dept: Department, organization_id: str | None = None, **fields: Any) -> str:
    """A category written directly (not through the api); its id."""

    async def run(session: Any) -> InventoryCategory:
        return await factories.inventory_category(session, org_id(dept, organization_id), **fields)

    return str(dept.run(run).id)


def seed_item(dept: Department, organization_id: str | None = None, **fields: Any) -> str:
    """An item written directly (not through the api); its id."""

    async def run(session: Any) -> InventoryItem:
        return await factories.inventory_item(session, org_id(dept, organization_id), **fields)

    return str(dept.run(run).id)


def seed_area(dept: Department, organization_id: str | None = None, **fields: Any) -> str:
    """A storage area written directly; its id."""

    async def run(session: Any) -> StorageArea:
        return await factories.storage_area(session, org_id(dept, organization_id), **fields)

    return str(dept.run(run).id)


def hold(
    dept: Department, kind: factories.Holder, item_id: str, user_id: str, **fields: Any
) -> str:
    """An assignment, checkout or issuance of the item to the member; its id."""

    async def run(session: AsyncSession) -> str:
        item = await session.get(InventoryItem, uuid.UUID(item_id))
        assert item is not None
        row = await factories.item_holder(session, kind, item, uuid.UUID(user_id), **fields)
        return str(row.id)

    return dept.run(run)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def create_item(client: httpx.Client, **body: Any) -> dict[str, Any]:
    """An item created through the api (201 asserted)."""
    response = client.post(ITEMS, json={"name": unique("Item"), **body})
    assert response.status_code == 201, response.text
    return dict(response.json())


def audit_types(dept: Department, subject: str) -> list[str]:
    """Event types of the organization's inventory audit entries that mention `subject`."""
    rows = dept.query(
        "SELECT event_type, event_data FROM audit_logs WHERE organization_id = %s"
        " AND event_category = 'inventory' ORDER BY id",
        org_id(dept).hex,
    )
    return [row["event_type"] for row in rows if subject in str(row["event_data"])]


def outbox_subjects(dept: Department, subject_id: str) -> list[str]:
    """Subjects of inventory outbox rows whose payload names `subject_id`."""
    rows = dept.query(
        "SELECT subject, payload FROM outbox WHERE subject LIKE 'logbook.api.inventory.%%'"
        " ORDER BY created_at"
    )
    return [row["subject"] for row in rows if subject_id in bytes(row["payload"]).decode()]
