"""The api service's app."""

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.organization.controllers import OrganizationController
from api.roles.controllers import RoleController
from shared.app import ServiceSpec, create_service_app
from shared.settings import Settings

SPEC = ServiceSpec(
    name="api", route_handlers=[OrganizationController, RoleController], uses_events=True
)


def create_app(
    settings: Settings, *, sessionmaker: async_sessionmaker[AsyncSession] | None = None
) -> Litestar:
    """Build the api service."""
    return create_service_app(SPEC, settings, sessionmaker=sessionmaker)
