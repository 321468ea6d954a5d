"""Rows a test starts from, written through the models (never raw SQL), flushed not committed.

The caller's session decides whether they last: in the rolled-back fixture they vanish with the
test. Every unique column gets a fresh value, so tests never collide on one database.
"""

import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.tokens import issue_access_token
from shared.catalog.seed import ensure_system_roles
from shared.db.types import utc_now
from shared.models import (
    AuthSession,
    CheckoutRecord,
    Event,
    EventRSVP,
    EventType,
    InventoryCategory,
    InventoryItem,
    ItemAssignment,
    ItemIssuance,
    ItemType,
    Location,
    MemberLeaveOfAbsence,
    Organization,
    Position,
    RequirementFrequency,
    RequirementType,
    RSVPStatus,
    StorageArea,
    TrainingCategory,
    TrainingCourse,
    TrainingRecord,
    TrainingRequirement,
    TrainingStatus,
    TrainingType,
    TrainingWaiver,
    User,
    UserPosition,
)
from shared.settings import Settings

EMAIL_DOMAIN = "station9.example.org"

T = TypeVar("T")
Holder = type[ItemAssignment] | type[CheckoutRecord] | type[ItemIssuance]


def unique(prefix: str = "m") -> str:
    """A short unique token for names, usernames and slugs."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"


async def _saved(session: AsyncSession, row: T) -> T:
    """The row added to the session and flushed, so its defaults and id are set."""
    session.add(row)
    await session.flush()
    return row


async def organization(session: AsyncSession, **fields: object) -> Organization:
    """A new organization with the system roles of this release, as `create-admin` makes it."""
    token = unique("s")
    values: dict[str, object] = {"name": f"Station {token}", "slug": token, **fields}
    created = Organization(**values)
    session.add(created)
    await session.flush()
    await ensure_system_roles(session, created.id)
    return created


def new_member(organization_id: uuid.UUID, **fields: object) -> User:
    """An unsaved active member with a unique username and email."""
    name = unique()
    values: dict[str, object] = {
        "organization_id": organization_id,
        "username": name,
        "email": f"{name}@{EMAIL_DOMAIN}",
        "first_name": "Quinn",
        "last_name": name,
        "must_change_password": False,
        **fields,
    }
    return User(**values)


async def member(
    session: AsyncSession, organization_id: uuid.UUID, roles: Iterable[str] = (), **fields: object
) -> User:
    """A member of the organization holding the given roles (system or custom, by slug)."""
    slugs = list(roles)
    await ensure_system_roles(session, organization_id)
    found = await session.scalars(
        select(Position).where(
            Position.organization_id == organization_id, Position.slug.in_(slugs)
        )
    )
    by_slug = {role.slug: role for role in found}
    assert set(slugs) <= set(by_slug), f"no role {set(slugs) - set(by_slug)} in {organization_id}"
    user = new_member(organization_id, **fields)
    user.positions = [UserPosition(position_id=by_slug[slug].id) for slug in slugs]
    session.add(user)
    await session.flush()
    return user


async def role(
    session: AsyncSession,
    organization_id: uuid.UUID,
    permissions: Iterable[str] = (),
    **fields: object,
) -> Position:
    """A custom role of the organization granting `permissions`."""
    token = unique("r")
    values: dict[str, object] = {
        "organization_id": organization_id,
        "name": f"Role {token}",
        "slug": token,
        "permissions": list(permissions),
        "is_system": False,
        "priority": 0,
        **fields,
    }
    return await _saved(session, Position(**values))


async def assign(session: AsyncSession, user_id: uuid.UUID, role_id: uuid.UUID) -> None:
    """Give the member one more role."""
    session.add(UserPosition(user_id=user_id, position_id=role_id))
    await session.flush()


async def location(session: AsyncSession, organization_id: uuid.UUID, **fields: object) -> Location:
    """A location of the organization with a unique name and display code."""
    name = str(fields.pop("name", unique("Room ")))
    values: dict[str, object] = {
        "organization_id": organization_id,
        "name": name,
        "name_key": name.lower(),
        "building_key": "",
        "display_code": uuid.uuid4().hex[:8],
        **fields,
    }
    return await _saved(session, Location(**values))


async def session_headers(session: AsyncSession, settings: Settings, user: User) -> dict[str, str]:
    """The headers of a live session of `user`: a real session row and a signed access token,
    sent as a bearer as the gateway sends the cookie."""
    live = AuthSession(
        user_id=user.id, organization_id=user.organization_id, refresh_hash=uuid.uuid4().hex
    )
    session.add(live)
    await session.flush()
    token = issue_access_token(
        settings,
        user_id=user.id,
        organization_id=user.organization_id,
        session_id=live.id,
        username=user.username,
    )
    return {"Authorization": f"Bearer {token}"}


async def inventory_category(
    session: AsyncSession, organization_id: uuid.UUID, **fields: object
) -> InventoryCategory:
    """An active inventory category of the organization (type `equipment` unless given)."""
    values: dict[str, object] = {
        "organization_id": organization_id,
        "name": unique("Category "),
        "item_type": ItemType.EQUIPMENT,
        **fields,
    }
    return await _saved(session, InventoryCategory(**values))


async def inventory_item(
    session: AsyncSession, organization_id: uuid.UUID, **fields: object
) -> InventoryItem:
    """An available individual item of the organization (no codes unless given)."""
    values: dict[str, object] = {
        "organization_id": organization_id,
        "name": unique("Item "),
        **fields,
    }
    return await _saved(session, InventoryItem(**values))


async def storage_area(
    session: AsyncSession, organization_id: uuid.UUID, **fields: object
) -> StorageArea:
    """An active storage area of the organization."""
    values: dict[str, object] = {
        "organization_id": organization_id,
        "name": unique("Shelf "),
        **fields,
    }
    return await _saved(session, StorageArea(**values))


async def item_holder(
    session: AsyncSession,
    kind: Holder,
    item: InventoryItem,
    user_id: uuid.UUID,
    **fields: object,
) -> ItemAssignment | CheckoutRecord | ItemIssuance:
    """An open assignment, checkout or issuance of the item to the member (no item change)."""
    return await _saved(
        session,
        kind(organization_id=item.organization_id, item_id=item.id, user_id=user_id, **fields),
    )


async def event(session: AsyncSession, organization_id: uuid.UUID, **fields: object) -> Event:
    """A published business meeting of the organization, a week from now for two hours."""
    start = utc_now().replace(microsecond=0) + timedelta(days=7)
    values: dict[str, object] = {
        "organization_id": organization_id,
        "title": unique("Meeting "),
        "event_type": EventType.BUSINESS_MEETING,
        "start_datetime": start,
        "end_datetime": start + timedelta(hours=2),
        **fields,
    }
    return await _saved(session, Event(**values))


async def event_rsvp(
    session: AsyncSession, event: Event, user_id: uuid.UUID, **fields: object
) -> EventRSVP:
    """The member's RSVP to the event (`going` unless given), answered now."""
    values: dict[str, object] = {
        "organization_id": event.organization_id,
        "event_id": event.id,
        "user_id": user_id,
        "status": RSVPStatus.GOING,
        **fields,
    }
    return await _saved(session, EventRSVP(**values))


async def training_category(
    session: AsyncSession, organization_id: uuid.UUID, **fields: object
) -> TrainingCategory:
    """An active training category of the organization."""
    values: dict[str, object] = {
        "organization_id": organization_id,
        "name": unique("Category "),
        **fields,
    }
    return await _saved(session, TrainingCategory(**values))


async def training_course(
    session: AsyncSession, organization_id: uuid.UUID, **fields: object
) -> TrainingCourse:
    """An active course of the library (`continuing_education`, never expiring, unless given)."""
    values: dict[str, object] = {
        "organization_id": organization_id,
        "name": unique("Course "),
        "training_type": TrainingType.CONTINUING_EDUCATION,
        **fields,
    }
    return await _saved(session, TrainingCourse(**values))


async def training_record(
    session: AsyncSession, organization_id: uuid.UUID, user_id: uuid.UUID, **fields: object
) -> TrainingRecord:
    """A completed record of the member: 2 hours of continuing education today (UTC)."""
    values: dict[str, object] = {
        "organization_id": organization_id,
        "user_id": user_id,
        "course_name": unique("Course "),
        "training_type": TrainingType.CONTINUING_EDUCATION,
        "status": TrainingStatus.COMPLETED,
        "completion_date": utc_now().date(),
        "hours_completed": 2.0,
        **fields,
    }
    return await _saved(session, TrainingRecord(**values))


async def training_requirement(
    session: AsyncSession, organization_id: uuid.UUID, **fields: object
) -> TrainingRequirement:
    """An active annual requirement of 10 hours for every member."""
    values: dict[str, object] = {
        "organization_id": organization_id,
        "name": unique("Requirement "),
        "requirement_type": RequirementType.HOURS,
        "frequency": RequirementFrequency.ANNUAL,
        "required_hours": 10.0,
        **fields,
    }
    return await _saved(session, TrainingRequirement(**values))


async def training_waiver(
    session: AsyncSession, organization_id: uuid.UUID, user_id: uuid.UUID, **fields: object
) -> TrainingWaiver:
    """An active training waiver of the member from today (UTC), open-ended, for every
    requirement, unless given."""
    values: dict[str, object] = {
        "organization_id": organization_id,
        "user_id": user_id,
        "start_date": utc_now().date(),
        **fields,
    }
    return await _saved(session, TrainingWaiver(**values))


async def leave_of_absence(
    session: AsyncSession, organization_id: uuid.UUID, user_id: uuid.UUID, **fields: object
) -> MemberLeaveOfAbsence:
    """An active leave of absence of the member from today (UTC), open-ended, unless given."""
    values: dict[str, object] = {
        "organization_id": organization_id,
        "user_id": user_id,
        "start_date": utc_now().date(),
        **fields,
    }
    return await _saved(session, MemberLeaveOfAbsence(**values))
