"""A small pool of `auth.passwords.worker` processes that hash for a service.

Each worker hashes one password at a time, so the pool's size bounds concurrent hashes and their
memory (64 MiB each) and all of it stays out of the service's process. Workers start when a hash
needs one and stop after `IDLE_SECONDS` without work: a station's platform signs members in a few
times an hour, and two idle workers would hold 26 MiB all day for it (a NAS counts every MiB). A
worker that dies is replaced and the request it held is tried once more on the new one; the pool
stops its workers when the service stops, and the kernel stops them if the service dies first.
"""

import asyncio
import contextlib
import json
import os
import sys
from typing import Any

import structlog

log = structlog.get_logger("shared.passwords")
STOP_WAIT_SECONDS = 2.0
# Long enough that a shift change's burst of sign-ins starts each worker once (a start costs
# about 60 ms of CPU), short enough that a platform at rest holds none.
IDLE_SECONDS = 60.0


class HashingError(Exception):
    """A worker could not answer a request (it failed twice, or the pool is stopped)."""


class _WorkerGoneError(Exception):
    """The worker's pipe closed: it died (killed, out of memory) before answering."""


class _Worker:
    """One child process and its pipes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.retirement: asyncio.TimerHandle | None = None  # set while it waits for work

    async def ask(self, line: bytes) -> dict[str, Any]:
        """Send one request line and read its answer."""
        stdin, stdout = self.process.stdin, self.process.stdout
        if stdin is None or stdout is None or self.process.returncode is not None:
            raise _WorkerGoneError
        try:
            stdin.write(line)
            await stdin.drain()
            reply = await stdout.readline()
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise _WorkerGoneError from exc
        if not reply:
            raise _WorkerGoneError
        answer: dict[str, Any] = json.loads(reply)
        return answer

    async def stop(self) -> None:
        """Close its input (it exits), then kill it if it lingers."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), STOP_WAIT_SECONDS)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()


async def _spawn(cost: str) -> _Worker:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "auth.passwords.worker",
        str(os.getpid()),
        cost,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        # Nothing a worker could print is wanted in the service's log: requests hold passwords.
        stderr=asyncio.subprocess.DEVNULL,
    )
    # It says so once it is set up (argon2 imported, priority lowered): a worker that cannot
    # start fails the service's startup rather than its first sign-in.
    try:
        ready = process.stdout is not None and bool(await process.stdout.readline())
    except BaseException:  # the request gave up meanwhile: no worker may outlive it untracked
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await asyncio.shield(process.wait())
        raise
    if not ready:
        await process.wait()
        raise HashingError("worker_did_not_start")
    return _Worker(process)


class HashingWorkers:
    """Up to `size` worker processes hashing at PASSWORD_HASH_COST `cost`, each started when a
    request finds no idle one and stopped after `idle_seconds` without a request."""

    def __init__(
        self, size: int, cost: str = "standard", idle_seconds: float = IDLE_SECONDS
    ) -> None:
        self.size = size
        self.cost = cost
        self.idle_seconds = idle_seconds
        self._workers: list[_Worker] = []  # running, busy or idle
        self._idle: list[_Worker] = []  # the one idle longest first
        self._starting = 0
        self._changed = asyncio.Condition()  # a worker came back, stopped, or the pool stopped
        self._stopping: set[asyncio.Task[None]] = set()
        self._stopped = False

    @property
    def pids(self) -> list[int]:
        """Process ids of the current workers."""
        return [worker.process.pid for worker in self._workers]

    async def start(self) -> None:
        """Start one worker and stop it again: a worker that cannot start (a broken install)
        fails the service's startup rather than its first sign-in."""
        await (await _spawn(self.cost)).stop()

    async def stop(self) -> None:
        """Stop every worker, busy or not; later requests fail."""
        self._stopped = True
        for worker in self._idle:
            if worker.retirement is not None:
                worker.retirement.cancel()
        self._idle.clear()
        async with self._changed:
            self._changed.notify_all()
        await asyncio.gather(*(worker.stop() for worker in self._workers), *self._stopping)

    async def run(self, **request: str | None) -> Any:
        """The result of one request (`op` "hash" or "verify"), computed by an idle worker."""
        worker = await self._take()
        # Shielded: a caller that gives up (client gone) must not leave an answer unread in the
        # pipe; the exchange finishes and hands the worker back either way.
        exchange = asyncio.ensure_future(self._exchange(worker, request))
        reply = await asyncio.shield(exchange)
        if "error" in reply:
            raise HashingError(reply["error"])
        return reply["result"]

    async def _take(self) -> _Worker:
        """The most recently used idle worker, else a new one while the pool has room."""
        async with self._changed:
            await self._changed.wait_for(
                lambda: (
                    self._stopped or self._idle or self._starting + len(self._workers) < self.size
                )
            )
            if self._stopped:
                raise HashingError("stopped")
            if self._idle:
                worker = self._idle.pop()
                if worker.retirement is not None:
                    worker.retirement.cancel()
                return worker
            self._starting += 1
        try:
            worker = await _spawn(self.cost)
        except BaseException:
            async with self._changed:  # its room is free again for the requests waiting
                self._starting -= 1
                self._changed.notify_all()
            raise
        self._starting -= 1
        self._workers.append(worker)
        await self._unless_stopped_meanwhile(worker)
        return worker

    async def _exchange(self, worker: _Worker, request: dict[str, str | None]) -> dict[str, Any]:
        line = json.dumps(request).encode() + b"\n"
        try:
            try:
                return await worker.ask(line)
            except _WorkerGoneError:
                worker = await self._replace(worker)
            try:
                return await worker.ask(line)
            except _WorkerGoneError as exc:
                raise HashingError("worker_died") from exc
        finally:
            await self._give_back(worker)

    async def _give_back(self, worker: _Worker) -> None:
        if self._stopped:
            return  # stop() ends it with the others
        self._idle.append(worker)
        worker.retirement = asyncio.get_running_loop().call_later(
            self.idle_seconds, self._retire, worker
        )
        # Every waiter, not one: a waiter cancelled as it is woken (its client gone) would take
        # the wake-up with it and leave the others waiting beside an idle worker.
        async with self._changed:
            self._changed.notify_all()

    def _retire(self, worker: _Worker) -> None:
        if worker not in self._idle:
            return
        self._idle.remove(worker)
        self._workers.remove(worker)
        # No request waits while a worker is idle (every waiter is woken as one comes back).
        task = asyncio.create_task(worker.stop())
        self._stopping.add(task)
        task.add_done_callback(self._stopping.discard)

    async def _unless_stopped_meanwhile(self, started: _Worker) -> None:
        """Stop a worker that started while the pool stopped (stop() did not see it)."""
        if self._stopped:
            await started.stop()
            raise HashingError("stopped")

    async def _replace(self, dead: _Worker) -> _Worker:
        if self._stopped:
            raise HashingError("stopped")
        with contextlib.suppress(ProcessLookupError):
            dead.process.kill()
        code = await dead.process.wait()
        worker = await _spawn(self.cost)
        self._workers[self._workers.index(dead)] = worker
        await self._unless_stopped_meanwhile(worker)
        log.warning(
            "passwords.worker_replaced", pid=dead.process.pid, code=code, new=worker.process.pid
        )
        return worker
