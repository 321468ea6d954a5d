"""A block the in-memory fallback set while Redis was away is forgotten once Redis answers.

Regression: the fallback's blocks outlived the outage, so the next Redis blip (even one
timeout) blocked an address again for up to 15 minutes over failures long since judged by
Redis. Runs against a private redis-server that the test stops and starts.
"""

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from auth.suspicious_ips import SuspiciousIps
from shared.settings import Settings
from tests.support.servers import RedisServer

ADDRESS = "198.51.100.23"
LIMIT = 3


@pytest.fixture
async def throttle(private_redis: RedisServer) -> AsyncIterator[SuspiciousIps]:
    client = redis.Redis.from_url(private_redis.url, socket_timeout=1, socket_connect_timeout=1)
    settings = Settings(_env_file=None, suspicious_ip_max_failures=LIMIT)
    try:
        yield SuspiciousIps(client, settings)
    finally:
        await client.aclose()


async def test_a_fallback_block_does_not_return_with_the_next_redis_blip(
    private_redis: RedisServer, throttle: SuspiciousIps
) -> None:
    private_redis.stop()
    for _ in range(LIMIT):
        await throttle.record_failure(ADDRESS)
    assert await throttle.blocked_for(ADDRESS) > 0  # the fallback blocks while Redis is away

    private_redis.start()
    assert await throttle.blocked_for(ADDRESS) == 0  # Redis knows of no block

    private_redis.stop()
    assert await throttle.blocked_for(ADDRESS) == 0  # and the old fallback block is gone
