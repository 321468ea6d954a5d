"""Start one service: checks, database wait and migration, then uvicorn.

A service that migrates does it in a short-lived child (`python -m launcher.serve <service>`):
Alembic and the migration scripts never load into the serving process, which keeps about 15 MB
less. With MIGRATE_ON_START=false it only waits for the database, in its own process.
"""

import asyncio
import gc
import subprocess
import sys

import structlog
import uvicorn
from litestar import Litestar

from launcher.ports import port_in_use, port_of, report_port_in_use
from shared.db.session import DatabaseUnreachableError
from shared.request_context import current_request_id
from shared.settings import Settings
from shared.startup import load_settings, prepare_database

log = structlog.get_logger("launcher.serve")


def init_sentry(settings: Settings, service: str) -> None:
    """Send unhandled errors to Sentry when enabled, tagged with service and request id."""
    if not (settings.sentry_enabled and settings.sentry_dsn is not None):
        return
    # Only where it is switched on: the SDK and its HTTP client cost a service about 6 MiB.
    import sentry_sdk  # noqa: PLC0415
    from sentry_sdk.integrations.logging import LoggingIntegration  # noqa: PLC0415
    from sentry_sdk.types import Event, Hint  # noqa: PLC0415

    def tag_request(event: Event, _: Hint) -> Event:
        event.setdefault("tags", {})["req_id"] = current_request_id() or "-"
        return event

    # Personal data stays off (the SDK default) and its event scrubber stays on.
    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        environment=settings.environment,
        auto_enabling_integrations=False,
        # Frame locals include the ASGI scope, whose headers carry cookies and bearer tokens.
        include_local_variables=False,
        before_send=tag_request,
        # Errors are captured explicitly by the 500 handler; log records are breadcrumbs only.
        integrations=[LoggingIntegration(event_level=None)],
    )
    sentry_sdk.set_tag("service", service)


def build_app(service: str, settings: Settings) -> Litestar:
    """The service's app; only the served service's modules load into its process."""
    # Imported here, not at the top: the top would load all three services into every process.
    if service == "auth":
        from auth.app import create_app as create_auth  # noqa: PLC0415

        return create_auth(settings)
    if service == "api":
        from api.app import create_app as create_api  # noqa: PLC0415

        return create_api(settings)
    from health.app import create_app as create_health  # noqa: PLC0415

    return create_health(settings)


def prepare_database_or_report(settings: Settings) -> bool:
    """Run `prepare_database`; on failure, log and print a clear message and return False."""
    failures: tuple[type[Exception], ...] = (DatabaseUnreachableError,)
    if settings.migrate_on_start:
        from shared.db.migrate import MigrationError  # noqa: PLC0415 - Alembic only where it runs

        failures += (MigrationError,)
    try:
        asyncio.run(prepare_database(settings))
    except failures as exc:
        if isinstance(exc, DatabaseUnreachableError):
            log.error("database.unreachable", detail=str(exc))
            sys.stderr.write(f"ERROR: {exc}\n")
        else:
            log.error("migrate.failed", detail=str(exc))
            sys.stderr.write(f"ERROR: migrations failed: {exc}\n")
        return False
    return True


def serve(service: str) -> int:
    """Run one service in the foreground until it is stopped; returns the exit code."""
    settings = load_settings(service)
    port = port_of(settings, service)
    if port_in_use(settings.host, port):
        report_port_in_use(port, f"{service.upper()}_PORT")
        return 1
    init_sentry(settings, service)
    if settings.migrate_on_start:
        # The child reads the same environment and reports its own failures.
        child = subprocess.run([sys.executable, "-m", "launcher.serve", service], check=False)  # noqa: S603
        prepared = child.returncode == 0
    else:
        # Only the wait (`logbook run` migrated already, or a migrate job does): no Alembic.
        prepared = prepare_database_or_report(settings)
    if not prepared:
        return 1
    app = build_app(service, settings)
    # Everything imported and built so far lives as long as the process: moved out of the
    # collector's reach, a full collection no longer walks it, which would pause every request
    # in flight for tens of milliseconds.
    gc.collect()
    gc.freeze()
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=port,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        log_config=None,
        access_log=False,
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=10,
        ws_ping_interval=settings.websocket_ping_seconds,
        ws_ping_timeout=settings.websocket_ping_seconds,
    )
    server = uvicorn.Server(config)
    server.run()
    return 0 if server.started else 1


if __name__ == "__main__":
    # The database step of `serve`, run as its own process (checks were passed by the parent).
    sys.exit(0 if prepare_database_or_report(load_settings(sys.argv[1], checked=False)) else 1)
