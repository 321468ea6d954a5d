"""Routes under /api/v1/organization."""

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from api.organization.modules import modules_for
from api.organization.schemas import ModulesRead
from shared.models import Organization
from shared.principal import Principal, provide_principal


class OrganizationController(Controller):
    """The caller's organization."""

    path = "/api/v1/organization"
    tags = ["organization"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/modules")
    async def modules(
        self, principal: NamedDependency[Principal], db_session: NamedDependency[AsyncSession]
    ) -> ModulesRead:
        """Enabled modules of the caller's organization (any signed-in member)."""
        organization = await db_session.get(Organization, principal.organization_id)
        return modules_for(organization.settings if organization else {})
