"""The api service's app."""

from dataclasses import replace

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.audit.controllers import AuditIntegrityController, AuditLogController
from api.consumers import (
    audit_consumers,
    member_consumers,
    notification_consumers,
    training_consumers,
)
from api.dashboard.controllers import DashboardController
from api.error_reports.controllers import ErrorReportController
from api.events.calendar_view import start_calendar_feed, stop_calendar_feed
from api.events.controllers import EVENTS_ROUTER
from api.events.reminders import RSVP_REMINDERS
from api.inventory import INVENTORY_ROUTER
from api.inventory.daily import DAILY_JOBS
from api.inventory.live import inventory_socket, start_live_inventory, stop_live_inventory
from api.locations.controllers import LocationController, RankController
from api.members import MEMBERS_ROUTER
from api.notifications.controllers import (
    InboxController,
    NotificationController,
    RuleController,
)
from api.notifications.holder_mail import HOLDER_CHANGE_MAIL
from api.organization.controllers import OrganizationController
from api.roles.controllers import RoleController
from api.seeding import seed_system_roles
from api.training.basis import start_training_basis, stop_training_basis
from api.training.cert_alerts import CERTIFICATION_ALERTS
from api.training.controllers import LEAVES_ROUTER, TRAINING_ROUTER
from api.training.matrix_runs import start_matrix_runs, stop_matrix_runs
from shared.app import ServiceSpec, create_service_app
from shared.settings import Settings

SPEC = ServiceSpec(
    name="api",
    route_handlers=[
        AuditLogController,
        AuditIntegrityController,
        OrganizationController,
        RoleController,
        LocationController,
        RankController,
        MEMBERS_ROUTER,
        DashboardController,
        ErrorReportController,
        InboxController,
        RuleController,
        NotificationController,
        INVENTORY_ROUTER,
        inventory_socket,
        EVENTS_ROUTER,
        TRAINING_ROUTER,
        LEAVES_ROUTER,
    ],
    uses_events=True,
    scheduled=(*DAILY_JOBS, HOLDER_CHANGE_MAIL, RSVP_REMINDERS, CERTIFICATION_ALERTS),
)


def create_app(
    settings: Settings, *, sessionmaker: async_sessionmaker[AsyncSession] | None = None
) -> Litestar:
    """Build the api service."""
    # The audit and member consumers key entries with this deployment's signing key; the
    # notification consumers mail with its SMTP settings.
    consumers = (
        *audit_consumers(settings),
        *notification_consumers(settings),
        *member_consumers(settings),
        *training_consumers(),
    )
    spec = replace(SPEC, consumers=consumers)
    app = create_service_app(spec, settings, sessionmaker=sessionmaker)
    app.on_startup.extend(
        [
            seed_system_roles,
            start_live_inventory,
            start_calendar_feed,
            start_training_basis,
            start_matrix_runs,
        ]
    )
    app.on_shutdown.extend(
        [stop_live_inventory, stop_calendar_feed, stop_training_basis, stop_matrix_runs]
    )
    return app
