"""Routes under /api/v1/dashboard (app-shell spec §4.3); the LATER ones answer the standard 404."""

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from api.dashboard.deps import provide_dashboard_service
from api.dashboard.schemas import AdminSummaryRead, Period, StatsRead, WidgetsRead
from api.dashboard.service import DashboardService
from api.deps import COMMON_DEPENDENCIES
from shared.principal import requires


class DashboardController(Controller):
    """The dashboard's figures for the caller's organization."""

    path = "/api/v1/dashboard"
    tags = ["dashboard"]
    dependencies = {
        **COMMON_DEPENDENCIES,
        "dashboard": Provide(provide_dashboard_service, sync_to_thread=False),
    }

    @get("/widgets")
    async def get_widgets(
        self,
        dashboard: NamedDependency[DashboardService],
        period: Annotated[Period, QueryParameter(description="Widget period")] = Period.MONTH,
    ) -> WidgetsRead:
        """Finance, fundraising and community widgets for the period (any active member)."""
        return dashboard.widgets(period)

    @get("/admin-summary", guards=[requires("settings.manage")])
    async def get_admin_summary(
        self, dashboard: NamedDependency[DashboardService]
    ) -> AdminSummaryRead:
        """Member counts and each module's figures for the organization tab."""
        return await dashboard.admin_summary()

    @get("/stats")
    async def get_stats(self, dashboard: NamedDependency[DashboardService]) -> StatsRead:
        """Member totals (any active member)."""
        return await dashboard.stats()
