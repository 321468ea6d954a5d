"""The services' ports and the check that one is free, for `serve` and for the `run` supervisor.

Kept apart from `launcher.serve` so that `logbook run`, which only starts the services, never
loads what serving one takes (Litestar, SQLAlchemy, uvicorn: about 60 MiB).
"""

import errno
import socket
import sys
from typing import TYPE_CHECKING

import structlog

if TYPE_CHECKING:  # the supervisor imports this module and never loads the settings' code
    from shared.settings import Settings

SERVICES = ("auth", "api", "health")
log = structlog.get_logger("launcher.ports")


def port_of(settings: "Settings", service: str) -> int:
    """The port a service listens on."""
    ports: dict[str, int] = {
        "auth": settings.auth_port,
        "api": settings.api_port,
        "health": settings.health_port,
    }
    return ports[service]


def port_in_use(host: str, port: int) -> bool:
    """Whether something already listens on host:port, even a server that allows sharing it.

    Caddy listens with SO_REUSEPORT: a second Caddy binds next to it without error and the kernel
    splits the connections between the two. A bind without that option fails against both.
    """
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # Connections of a platform that has just stopped (TIME_WAIT) do not hold the port.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def report_port_in_use(port: int, setting: str) -> None:
    """Log and print the message docs/troubleshooting.md explains."""
    log.error("startup.port_in_use", port=port, setting=setting)
    sys.stderr.write(
        f"ERROR: port {port} is already in use ({setting}); stop what holds it or set "
        f"{setting} to a free port. Nothing was started.\n"
    )
