"""A Redis blip must not leave its fallback lockout behind (issue 10 F6).

The test runs a Redis of its own, which it stops and starts; the machine's Redis is never touched.
"""

import asyncio
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from httpx import AsyncClient

from shared.ratelimit import REDIS_RETRY_SECONDS
from shared.settings import Settings
from tests.shared.test_ratelimit import CREDENTIALS, LOGIN, create_limited_app, post_n
from tests.support.client import app_client
from tests.support.proxy import free_port

REDIS_SERVER = "/usr/bin/redis-server"
START_SECONDS = 10.0


class PrivateRedis:
    """A throwaway redis-server on a port of its own, without persistence."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        deadline = time.monotonic() + START_SECONDS
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=START_SECONDS)
        self.process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


async def status_once_allowed(client: AsyncClient, within: float) -> int:
    """Sign in again until the answer is not a 429 (or time runs out); that answer's status."""
    deadline = time.monotonic() + within
    while True:
        status = (await client.post(LOGIN, json=CREDENTIALS)).status_code
        if status != 429 or time.monotonic() > deadline:
            return status
        await asyncio.sleep(0.25)


async def test_a_lockout_set_while_redis_was_down_is_forgotten_when_redis_returns(
    private_redis: PrivateRedis, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(redis_url=private_redis.url)
    async with app_client(create_limited_app(settings)) as client:
        assert (await client.post(LOGIN, json=CREDENTIALS)).status_code == 200  # on Redis
        private_redis.stop()
        assert await post_n(client, LOGIN, 5, json=CREDENTIALS) == [200] * 5
        locked = await client.post(LOGIN, json=CREDENTIALS)
        assert (locked.status_code, locked.headers["retry-after"]) == (429, "1800")

        private_redis.start()
        # The limiter tries Redis again REDIS_RETRY_SECONDS after its last failure.
        assert await status_once_allowed(client, REDIS_RETRY_SECONDS + 5) == 200
        # Normal limits again: Redis's sliding window, whose wait is at most the window.
        assert await post_n(client, LOGIN, 5, json=CREDENTIALS) == [200] * 4 + [429]
        refused = await client.post(LOGIN, json=CREDENTIALS)
        assert 1 <= int(refused.headers["retry-after"]) <= 60

        # A later blip starts the fallback afresh instead of bringing the old lockout back.
        private_redis.stop()
        assert await post_n(client, LOGIN, 5, json=CREDENTIALS) == [200] * 5
        assert (await client.post(LOGIN, json=CREDENTIALS)).status_code == 429
