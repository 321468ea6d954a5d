"""Drive an app in the test's own event loop (Litestar's test clients run a second loop)."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
from litestar import Litestar


@contextlib.asynccontextmanager
async def app_client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and yield an HTTP client speaking ASGI to it.

    The lifespan lives in a task of its own: it holds an anyio cancel scope, which must be
    left by the task that entered it, and async fixtures tear down in another task.
    """
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold_lifespan() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    lifespan = asyncio.create_task(hold_lifespan())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait([lifespan, waiter], return_when=asyncio.FIRST_COMPLETED)
    if lifespan.done():
        waiter.cancel()
        lifespan.result()  # raises the startup error
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        stop.set()
        await lifespan
