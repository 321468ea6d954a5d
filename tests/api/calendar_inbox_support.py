"""What the calendar notice tests share: the outbox's events, the calendar consumer, inboxes."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.consumers import notification_consumers
from shared.events.envelope import Envelope, decode
from shared.models import NotificationLog, User
from shared.settings import Settings
from tests.api.department import Department
from tests.api.events_support import org_id

DURABLE = "api-notifications-events"
INBOX = "/api/v1/notifications/my"


def envelopes(dept: Department, subject: str) -> list[Envelope]:
    """The department's outbox events of one subject (a LIKE pattern), oldest first."""
    rows = dept.query(
        "SELECT payload FROM outbox WHERE subject LIKE %s ORDER BY created_at, id", subject
    )
    found = [decode(bytes(row["payload"])) for row in rows]
    return [e for e in found if e.organization_id == org_id(dept)]


def deliver(dept: Department, envelope: Envelope, settings: Settings | None = None) -> None:
    """Hand the envelope to the calendar notification consumer once, in a transaction."""
    (spec,) = [
        spec
        for spec in notification_consumers(settings or dept.api.settings)
        if spec.durable == DURABLE
    ]

    async def work(session: AsyncSession) -> None:
        await spec.handler(envelope, session)

    dept.run(work)


def deliver_all(dept: Department, subject: str, settings: Settings | None = None) -> None:
    for envelope in envelopes(dept, subject):
        deliver(dept, envelope, settings)


def inbox(dept: Department, username: str) -> list[dict[str, Any]]:
    with dept.signed_in(username) as client:
        response = client.get(INBOX)
    assert response.status_code == 200, response.text
    return list(response.json()["logs"])


def prefer(dept: Department, user_id: str, **preferences: bool) -> None:
    """Set the member's notification preferences."""

    async def work(session: AsyncSession) -> None:
        user = await session.get(User, uuid.UUID(user_id))
        assert user is not None
        user.notification_preferences = preferences

    dept.run(work)


def member_email(dept: Department, user_id: str) -> str:
    async def work(session: AsyncSession) -> str:
        user = await session.get(User, uuid.UUID(user_id))
        assert user is not None
        return user.email

    return dept.run(work)


def notices_of(dept: Department, user_id: str) -> list[str]:
    """Subjects of every notification row of the member (any channel), read from the table:
    a member no longer active cannot sign in to read an inbox."""

    async def work(session: AsyncSession) -> list[str]:
        rows = await session.scalars(
            select(NotificationLog.subject).where(
                NotificationLog.recipient_id == uuid.UUID(user_id)
            )
        )
        return [subject or "" for subject in rows]

    return dept.run(work)
