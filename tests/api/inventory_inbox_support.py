"""What the inventory inbox tests share: members, the events of holder changes, the inventory
notification consumer, and the inboxes and stored entries it writes."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.consumers import notification_consumers
from shared.events.contracts.inventory import ItemAssigned, ItemUnassigned, PoolIssued, PoolReturned
from shared.events.envelope import Envelope, EventData, wrap
from shared.models import NotificationLog
from shared.settings import Settings
from tests.api.department import Department
from tests.api.inventory_support import org_id
from tests.support import factories

INBOX = "/api/v1/notifications/my"
DURABLE = "api-notifications-inventory"


def member(
    dept: Department, organization_id: str | None = None, **fields: Any
) -> tuple[uuid.UUID, str]:
    async def run(session: AsyncSession) -> tuple[uuid.UUID, str]:
        found = await factories.member(session, org_id(dept, organization_id), **fields)
        return found.id, found.username

    return dept.run(run)


def envelope(dept: Department, data: EventData, organization_id: str | None = None) -> Envelope:
    return wrap(
        data, organization_id=org_id(dept, organization_id), actor_id=None, request_id="req-1"
    )


def deliver(dept: Department, event: Envelope, settings: Settings | None = None) -> None:
    """Run the inventory notification consumer's handler once, as a delivery does."""
    (spec,) = [
        spec
        for spec in notification_consumers(settings or dept.api.settings)
        if spec.durable == DURABLE
    ]
    assert spec.subject_filter == "logbook.api.inventory.>"

    async def run(session: AsyncSession) -> None:
        await spec.handler(event, session)

    dept.run(run)


def inbox(dept: Department, username: str) -> list[dict[str, Any]]:
    with dept.signed_in(username) as client:
        response = client.get(INBOX)
    assert response.status_code == 200, response.text
    return list(response.json()["logs"])


def stored(dept: Department, user_id: uuid.UUID) -> list[NotificationLog]:
    async def run(session: AsyncSession) -> list[NotificationLog]:
        rows = await session.scalars(
            select(NotificationLog)
            .where(NotificationLog.recipient_id == user_id)
            .order_by(NotificationLog.created_at)
        )
        return list(rows)

    return dept.run(run)


def assigned(user_id: uuid.UUID, item: uuid.UUID, name: str = "Helmet", **fields: Any) -> Any:
    return ItemAssigned(
        item_id=item, item_name=name, user_id=user_id, assignment_id=uuid.uuid4(), **fields
    )


def unassigned(user_id: uuid.UUID, item: uuid.UUID, name: str = "Helmet") -> Any:
    return ItemUnassigned(item_id=item, item_name=name, user_id=user_id, assignment_id=uuid.uuid4())


def pool(
    kind: type[PoolIssued] | type[PoolReturned], user_id: uuid.UUID, item: uuid.UUID, n: int
) -> Any:
    return kind(
        item_id=item, item_name="Gloves", user_id=user_id, issuance_id=uuid.uuid4(), quantity=n
    )
