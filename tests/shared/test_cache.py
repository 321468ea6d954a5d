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


async def test_nothing_found_is_not_kept() -> None:
    cache: LoadingCache[str, str | None] = LoadingCache(ttl=60, maxsize=4)
    answers = iter([None, "found"])

    async def load() -> str | None:
        return next(answers)

    assert await cache.get("k", load) is None
    assert await cache.get("k", load) == "found"


async def test_forget_where_drops_every_matching_key() -> None:
    cache: LoadingCache[tuple[str, str], str] = LoadingCache(ttl=60, maxsize=8)
    for key in (("ann", "facts"), ("ann", "unread"), ("bob", "facts")):
        await cache.get(key, lambda key=key: _value(f"{key[0]} {key[1]}"))

    cache.forget_where(lambda key: key[0] == "ann")

    assert await cache.get(("ann", "facts"), lambda: _value("new")) == "new"
    assert await cache.get(("bob", "facts"), lambda: _value("new")) == "bob facts"


async def _value(text: str) -> str:
    return text
