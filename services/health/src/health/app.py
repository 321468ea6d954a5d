"""The health service's app."""

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from health.routes import ROUTES
from shared.app import ServiceSpec, create_service_app
from shared.settings import Settings

SPEC = ServiceSpec(name="health", route_handlers=ROUTES)


def create_app(
    settings: Settings, *, sessionmaker: async_sessionmaker[AsyncSession] | None = None
) -> Litestar:
    """Build the health service."""
    return create_service_app(SPEC, settings, sessionmaker=sessionmaker)
