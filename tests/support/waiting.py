"""Waiting on a condition in async tests: poll it, never sleep a fixed time."""

import asyncio
import time
from collections.abc import Callable

POLL_SECONDS = 0.02


async def wait_for(condition: Callable[[], bool], within: float = 10.0, what: str = "") -> float:
    """Poll `condition` until it holds; the seconds it took. Fails after `within` seconds."""
    started = time.monotonic()
    while not condition():
        elapsed = time.monotonic() - started
        assert elapsed < within, f"{what or 'condition'}: not after {elapsed:.1f} s"
        await asyncio.sleep(POLL_SECONDS)
    return time.monotonic() - started
