"""The one in-memory cache with loads: values fresh for a while, one load per key at a time."""

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from cachetools import TTLCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LoadingCache(Generic[K, V]):
    """Values kept `ttl` seconds (cachetools' TTLCache); callers missing one key share one load.

    A load runs in a task of its own and is awaited shielded, so a caller that gives up or is
    cancelled leaves it to the others. A load that answers None is not kept (nothing found now
    may exist a moment later). `forget` drops a value and any load in flight for it: that load
    still answers its callers but no longer fills the cache, since it may have read what the
    change made stale.
    """

    def __init__(
        self, *, ttl: float, maxsize: int, timer: Callable[[], float] = time.monotonic
    ) -> None:
        self._values: TTLCache[K, V] = TTLCache(maxsize=maxsize, ttl=ttl, timer=timer)
        self._loads: dict[K, asyncio.Task[V]] = {}

    async def get(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        """The fresh value of `key`, else the result of the one load in flight for it."""
        try:
            return self._values[key]
        except KeyError:
            pass
        task = self._loads.get(key)
        if task is None:
            task = asyncio.create_task(self._load(key, load), name=f"cache-load-{key}")
            self._loads[key] = task
        return await asyncio.shield(task)

    async def _load(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        me = asyncio.current_task()
        try:
            value = await load()
        finally:
            forgotten = self._loads.get(key) is not me
            if not forgotten:
                del self._loads[key]
        if not forgotten and value is not None:
            self._values[key] = value
        return value

    def peek(self, key: K) -> V | None:
        """The fresh value of `key` if one is kept; never loads."""
        return self._values.get(key)

    def forget(self, key: K) -> None:
        """Drop the value of `key`; a load already in flight will not store what it read."""
        self._values.pop(key, None)
        self._loads.pop(key, None)

    def forget_where(self, match: Callable[[K], bool]) -> None:
        """Drop every key `match` accepts (all that a changed member's keys begin with, say)."""
        for key in [key for key in (*self._values.keys(), *self._loads) if match(key)]:
            self.forget(key)

    def clear(self) -> None:
        """Drop every value; loads in flight will not store theirs."""
        self._values.clear()
        self._loads.clear()

    async def close(self) -> None:
        """Cancel the loads still in flight."""
        tasks = list(self._loads.values())
        self._loads.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
