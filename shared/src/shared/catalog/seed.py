"""Seeding an organization's system roles (§2.9): at creation, and again after an upgrade."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from shared.catalog.repository import SystemRoleRepository
from shared.catalog.system_roles import SYSTEM_ROLES
from shared.models import Position


async def ensure_system_roles(session: AsyncSession, organization_id: UUID) -> dict[str, Position]:
    """Create whichever system roles the organization lacks; existing ones are left as edited."""
    repository = SystemRoleRepository(session, organization_id)
    existing = {p.slug: p for p in await repository.system_roles()}
    missing = [
        Position(
            organization_id=organization_id,
            name=role.name,
            slug=role.slug,
            permissions=list(role.permissions),
            is_system=True,
            priority=role.priority,
        )
        for role in SYSTEM_ROLES
        if role.slug not in existing
    ]
    await repository.add_all(missing)
    existing.update((p.slug, p) for p in missing)
    return existing
