"""One running platform per xdist worker, shared by the e2e modules that need no settings of
their own: starting a platform costs 8-18 s, an organization of its own a fraction of that.

Package-scoped: a worker runs the e2e modules before the in-process ones (tests/conftest.py
orders them so), and stops its platforms when it moves on, instead of keeping them idle (about
4% of a core each) through the rest of the run."""

from collections.abc import Iterator

import pytest

from tests.e2e.auth_platform import AuthPlatform, running_auth_platform
from tests.e2e.department import Department, Platform, running_platform

# The shared platform signs its audit trail, so the integrity tests need no platform of their own.
AUDIT_LOG_SIGNING_KEY = "audit-integrity-test-key-6f1d0c2e9a8b7c6d5e4f3a2b1c0d9e8f"
PING_SECONDS = 1.0
SOCKETS_PER_ORGANIZATION = 4


@pytest.fixture(scope="package")
def shared_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """The worker's platform on a MariaDB database of its own, with no organization yet."""
    workdir = tmp_path_factory.mktemp("shared-platform")
    with running_platform(
        workdir,
        "shared",
        AUDIT_LOG_SIGNING_KEY=AUDIT_LOG_SIGNING_KEY,
        # Idle sockets are pinged within a test's patience (tests/e2e/test_inventory_live.py).
        WEBSOCKET_PING_SECONDS=str(PING_SECONDS),
        # A cap a test can reach (each module's organization opens two sockets at most).
        INVENTORY_SOCKETS_PER_ORGANIZATION=str(SOCKETS_PER_ORGANIZATION),
    ) as platform:
        yield platform


@pytest.fixture(scope="module")
def department(shared_platform: Platform) -> Department:
    """A fresh organization and administrator for the module, on the worker's shared platform.

    Tests must read only their own organization's rows, their own request ids' log lines and
    their own members: other modules run on the same platform before and after them.
    """
    return shared_platform.new_department()


@pytest.fixture(scope="package")
def auth_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthPlatform]:
    """The worker's SQLite platform of the sign-in, two-factor and password-reset modules."""
    with running_auth_platform(tmp_path_factory.mktemp("auth-platform")) as platform:
        yield platform
