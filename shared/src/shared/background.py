"""Long-running loops an app owns: started by its lifespan, cancelled at shutdown."""

import asyncio
import contextlib


class BackgroundLoop:
    """Subclasses implement `_run`; `start` schedules it and `stop` cancels and awaits it."""

    task_name = "background"

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run the loop in the background."""
        self._task = asyncio.create_task(self._run(), name=self.task_name)

    async def stop(self) -> None:
        """Cancel the loop and wait until it has finished."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        raise NotImplementedError
