"""At startup: every organization has the system roles of this release.

`logbook create-admin` seeds them for a new organization; an organization created by an
earlier release gets the roles added since then here. Existing roles are never changed.
"""

import structlog
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.catalog.repository import OrganizationRepository
from shared.catalog.seed import ensure_system_roles
from shared.db.integrity import ClashError, guarded

log = structlog.get_logger("api.seeding")


async def seed_system_roles(app: Litestar) -> None:
    """Startup hook: add whichever system roles an organization lacks."""
    sessionmaker: async_sessionmaker[AsyncSession] = app.state.sessionmaker
    async with sessionmaker() as session:
        organization_ids = await OrganizationRepository(session).ids()
    for organization_id in organization_ids:
        async with sessionmaker() as session:
            try:
                async with guarded(session, savepoint=False):
                    await ensure_system_roles(session, organization_id)
            except ClashError as clash:
                if clash.field != "slug":
                    raise
                # Another instance starting at the same moment added them first.
                log.info("seeding.done_elsewhere", organization_id=str(organization_id))
                continue
            await session.commit()
