"""The health service's app."""

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from health.cache import close_checks, open_checks
from health.docs.routes import ROUTES as DOCS_ROUTES
from health.metrics import platform_metrics
from health.routes import ROUTES
from health.status.routes import ROUTES as STATUS_ROUTES
from health.status.routes import start_sampler, stop_sampler
from shared.app import ServiceSpec, create_service_app
from shared.settings import Settings

SPEC = ServiceSpec(
    name="health", route_handlers=[*ROUTES, *DOCS_ROUTES, *STATUS_ROUTES, platform_metrics]
)


def create_app(
    settings: Settings, *, sessionmaker: async_sessionmaker[AsyncSession] | None = None
) -> Litestar:
    """Build the health service."""
    app = create_service_app(SPEC, settings, sessionmaker=sessionmaker)
    # Startup hooks run once the shared lifespan has opened the connections the checks use.
    app.on_startup.extend([open_checks, start_sampler])
    app.on_shutdown.extend([stop_sampler, close_checks])
    return app
