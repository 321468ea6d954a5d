"""The in-process `department` of the api rule tests: one organization per test, rolled back."""

from collections.abc import Iterator
from contextlib import AsyncExitStack

import pytest

from tests.api.department import Department, LoopThread
from tests.conftest import settings_for
from tests.support.inprocess import NO_NATS, RATE_LIMIT_MULTIPLIER, RunningApi, running_api


@pytest.fixture(scope="session")
def threaded_api(migrated_mariadb: str) -> Iterator[tuple[LoopThread, RunningApi]]:
    """The worker's api app on its MariaDB database, running in a thread of its own."""
    loop = LoopThread()
    settings = settings_for(
        migrated_mariadb, nats_url=NO_NATS, rate_limit_multiplier=RATE_LIMIT_MULTIPLIER
    )
    stack = AsyncExitStack()
    running = loop.run(stack.enter_async_context(running_api("mariadb", settings)))
    try:
        yield loop, running
    finally:
        loop.run(stack.aclose())
        loop.close()


@pytest.fixture
def department(threaded_api: tuple[LoopThread, RunningApi]) -> Iterator[Department]:
    """A fresh organization and administrator on the in-process api; gone after the test."""
    loop, running = threaded_api
    created = Department(loop, running)
    try:
        yield created
    finally:
        created.close()
