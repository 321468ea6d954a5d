"""An organization from an earlier release gets the system roles added since, at api startup."""

import uuid
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from api.app import create_app
from shared.catalog.system_roles import SYSTEM_ROLES
from shared.models import Organization, Position
from shared.settings import Settings
from tests.support.client import app_client


async def test_missing_system_roles_are_added_and_edited_ones_kept(
    engine: AsyncEngine, make_settings: Callable[..., Settings]
) -> None:
    maker = async_sessionmaker(engine, expire_on_commit=False)
    async with maker() as session:
        organization = Organization(name="Old Release FD", slug=f"old-{uuid.uuid4().hex[:10]}")
        session.add(organization)
        await session.flush()
        # As an earlier release left it: two system roles, one edited by the department.
        session.add_all(
            [
                Position(
                    organization_id=organization.id,
                    name="IT Manager",
                    slug="it_manager",
                    permissions=["*"],
                    is_system=True,
                    priority=100,
                ),
                Position(
                    organization_id=organization.id,
                    name="Member",
                    slug="member",
                    permissions=["members.view"],
                    is_system=True,
                    priority=10,
                ),
            ]
        )
        await session.commit()
    async with app_client(create_app(make_settings(), sessionmaker=maker)):
        pass  # startup runs the seeding
    async with maker() as session:
        slugs = set(
            await session.scalars(
                select(Position.slug).where(Position.organization_id == organization.id)
            )
        )
        member = await session.scalar(
            select(Position.permissions).where(
                Position.organization_id == organization.id, Position.slug == "member"
            )
        )
        count = await session.scalar(
            select(func.count()).where(Position.organization_id == organization.id)
        )
    assert slugs == {role.slug for role in SYSTEM_ROLES}
    assert count == len(SYSTEM_ROLES)
    assert member == ["members.view"]  # the department's edit survives
