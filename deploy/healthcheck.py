"""The image's HEALTHCHECK: does the process this container runs answer?

One image runs every part of the platform, so the check reads the container's command (process
1's, or the names given to it): `logbook serve auth|api|health` must answer its
`/internal/health`, the gateway (`caddy run`) must accept connections on its site's port, and a
one-shot command (`logbook migrate`) has nothing to check. Standard library only: it runs every
few seconds and must start fast.
"""

import os
import socket
import sys
import urllib.request
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

SERVICE_PORTS = {
    "auth": ("AUTH_PORT", 8001),
    "api": ("API_PORT", 8002),
    "health": ("HEALTH_PORT", 8003),
}
TIMEOUT_SECONDS = 3


def container_command() -> list[str]:
    """Process 1's arguments (behind `init: true` they follow docker-init's own)."""
    return Path("/proc/1/cmdline").read_bytes().decode().split("\0")


def gateway_port() -> int:
    """The port of GATEWAY_SITE, as Caddy reads it (no port: 80 for http://, else 443)."""
    site = os.environ.get("GATEWAY_SITE", "")
    port = urlsplit(site if "://" in site else f"https://{site}").port
    return port or (80 if site.startswith("http://") else 443)


def service_answers(port: int) -> bool:
    """GET /internal/health answers 200."""
    url = f"http://127.0.0.1:{port}/internal/health"
    with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
        return bool(response.status == HTTPStatus.OK)


def main(argv: list[str]) -> int:
    """0 when healthy (or nothing to check), 1 otherwise; the reason on stderr."""
    command = argv or container_command()
    names = [Path(arg).name for arg in command]
    try:
        if "serve" in names[:-1]:
            variable, default = SERVICE_PORTS[names[names.index("serve") + 1]]
            healthy = service_answers(int(os.environ.get(variable, default)))
        elif "caddy" in names:
            with socket.create_connection(("127.0.0.1", gateway_port()), TIMEOUT_SECONDS):
                healthy = True
        else:
            healthy = True
    except OSError as exc:
        sys.stderr.write(f"unhealthy: {exc}\n")
        return 1
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
