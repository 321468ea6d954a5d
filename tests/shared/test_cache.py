"""The one loading cache: fresh values reused, one load per key, forgetting beats a slow load."""

import asyncio

from shared.cache import LoadingCache


async def test_a_value_is_reused_until_it_ages() -> None:
    now = [0.0]
    cache: LoadingCache[str, int] = LoadingCache(ttl=1.0, maxsize=4, timer=lambda: now[0])
    loads = []

    async def load() -> int:
        loads.append(1)
        return len(loads)

    assert await cache.get("k", load) == 1
    assert await cache.get("k", load) == 1
    now[0] = 1.5
    assert await cache.get("k", load) == 2


async def test_a_load_in_flight_when_forgotten_answers_but_is_not_kept() -> None:
    cache: LoadingCache[str, str] = LoadingCache(ttl=60, maxsize=4)
    release = asyncio.Event()

    async def stale() -> str:
        await release.wait()
        return "stale"

    async def fresh() -> str:
        return "fresh"

    waiting = asyncio.create_task(cache.get("k", stale))
    await asyncio.sleep(0)
    cache.forget("k")
    release.set()

    assert await waiting == "stale"
    assert await cache.get("k", fresh) == "fresh"
