"""Argon2 in worker processes: the service's process hashes nothing, and no worker outlives it."""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from typing import Any

import psutil
import pytest

from auth.passwords.hashing import (
    hash_password,
    hash_password_sync,
    hashing_workers,
    needs_rehash,
    start_hashing_workers,
    stop_hashing_workers,
    use_hash_cost,
    verify_password,
)
from auth.passwords.workers import HashingError, HashingWorkers

PASSWORD = "Tr0ub4dor&Xq"


@pytest.fixture
async def workers() -> AsyncIterator[HashingWorkers]:
    started = await start_hashing_workers()
    yield started
    await stop_hashing_workers()


def gone(pid: int) -> bool:
    """The process has exited (and was reaped, or is a zombie nobody will run again)."""
    try:
        return bool(psutil.Process(pid).status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True


def wait_until_gone(pids: list[int], within: float = 10.0) -> list[int]:
    """The pids still running after `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and not all(gone(pid) for pid in pids):
        time.sleep(0.05)
    return [pid for pid in pids if not gone(pid)]


class TestMinimalCost:
    async def test_minimal_workers_hash_at_the_smallest_cost_and_still_verify(self) -> None:
        workers = HashingWorkers(1, "minimal")
        await workers.start()
        try:
            stored = await workers.run(op="hash", password=PASSWORD)
            right = await workers.run(op="verify", hash=stored, password=PASSWORD)
            wrong = await workers.run(op="verify", hash=stored, password="not it")
            unknown = await workers.run(op="verify", hash=None, password=PASSWORD)
        finally:
            await workers.stop()

        assert stored.startswith("$argon2id$v=19$m=8,t=1,p=1$")
        assert (right, wrong, unknown) == (True, False, False)

    async def test_a_process_at_minimal_cost_replaces_standard_hashes_and_starts_minimal_workers(
        self,
    ) -> None:
        standard = hash_password_sync(PASSWORD)
        use_hash_cost("minimal")
        try:
            replaced = needs_rehash(standard)
            started = await start_hashing_workers()
            cost = started.cost
            await stop_hashing_workers()
            made = hash_password_sync(PASSWORD)
        finally:
            use_hash_cost("standard")

        assert replaced is True
        assert cost == "minimal"
        assert needs_rehash(made) is True  # the process is back at the standard cost
        assert made.startswith("$argon2id$v=19$m=8,t=1,p=1$")


class TestWorkers:
    async def test_none_runs_at_rest_and_requests_start_at_most_two_small_children(
        self, workers: HashingWorkers
    ) -> None:
        assert hashing_workers() is workers
        assert workers.pids == []  # start() only proved that one can start
        seen: set[int] = set()

        async def verify_and_note() -> bool:
            verified = await verify_password(None, PASSWORD)
            seen.update(workers.pids)
            return verified

        assert await asyncio.gather(*(verify_and_note() for _ in range(4))) == [False] * 4
        assert len(seen) == 2  # four requests at once, two hashing and two waiting
        assert sorted(seen) == sorted(workers.pids)
        for pid in workers.pids:
            child = psutil.Process(pid)
            assert child.ppid() == os.getpid()
            assert child.cmdline()[1:3] == ["-m", "auth.passwords.worker"]
            assert child.memory_info().rss < 60 * 2**20  # no app imported: far from 150 MB
            assert child.nice() == os.nice(0) + 10  # requests get the cores before hashes do

    async def test_hash_and_verify_run_in_a_worker(self, workers: HashingWorkers) -> None:
        stored = await hash_password(PASSWORD)  # starts the one worker the calls below reuse
        (worker,) = [psutil.Process(pid) for pid in workers.pids]
        before = worker.cpu_times().user
        own_before = psutil.Process().cpu_times().user
        assert await verify_password(stored, PASSWORD) is True
        assert await verify_password(stored, "Tr0ub4dor&Xr") is False
        assert await verify_password(None, PASSWORD) is False
        assert await verify_password("not-a-hash", PASSWORD) is False
        worker_cpu = worker.cpu_times().user - before
        own_cpu = psutil.Process().cpu_times().user - own_before
        # Three Argon2 runs of 64 MiB each cost the worker real CPU; this process only waited.
        assert worker_cpu > 0.05
        assert own_cpu < worker_cpu
        assert [worker.pid] == workers.pids

    async def test_worker_and_thread_hashes_are_interchangeable(
        self, workers: HashingWorkers
    ) -> None:
        assert await verify_password(hash_password_sync(PASSWORD), PASSWORD) is True
        made_by_worker = await hash_password(PASSWORD)
        await stop_hashing_workers()
        assert hashing_workers() is None  # back to this process's threads
        assert await verify_password(made_by_worker, PASSWORD) is True
        assert workers.pids  # the fixture's stop finds nothing left to do

    async def test_a_killed_worker_is_replaced_and_its_request_answered(
        self, workers: HashingWorkers
    ) -> None:
        stored = hash_password_sync(PASSWORD)
        await asyncio.gather(*(verify_password(stored, PASSWORD) for _ in range(2)))
        first = list(workers.pids)
        assert len(first) == 2
        os.kill(first[0], signal.SIGKILL)
        os.kill(first[1], signal.SIGKILL)
        assert wait_until_gone(first) == []
        results = await asyncio.gather(*(verify_password(stored, PASSWORD) for _ in range(4)))
        assert results == [True] * 4
        assert len(workers.pids) == 2
        assert set(workers.pids).isdisjoint(first)

    async def test_a_request_in_flight_survives_its_worker_dying(
        self, workers: HashingWorkers
    ) -> None:
        stored = hash_password_sync(PASSWORD)
        pending = [asyncio.create_task(verify_password(stored, PASSWORD)) for _ in range(2)]
        while len(workers.pids) < 2:  # each request starts a worker of its own
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.02)  # both workers are now hashing
        victims = list(workers.pids)
        for pid in victims:
            os.kill(pid, signal.SIGKILL)
        assert await asyncio.gather(*pending) == [True, True]
        assert set(workers.pids).isdisjoint(victims)

    async def test_stop_ends_every_worker_and_later_requests_fail(self) -> None:
        pool = HashingWorkers(2, "minimal")
        await pool.start()
        await asyncio.gather(*(pool.run(op="hash", password=PASSWORD) for _ in range(2)))
        pids = list(pool.pids)
        assert len(pids) == 2
        await pool.stop()
        assert wait_until_gone(pids) == []
        with pytest.raises(HashingError):
            await pool.run(op="hash", password=PASSWORD)


class TestIdleWorkers:
    async def test_a_worker_stops_after_its_idle_time_and_the_next_request_starts_another(
        self,
    ) -> None:
        pool = HashingWorkers(2, "minimal", idle_seconds=0.3)
        await pool.start()
        try:
            await pool.run(op="hash", password=PASSWORD)
            (first,) = pool.pids
            for _ in range(100):  # the event loop must run for the idle timer to fire
                if not pool.pids and gone(first):
                    break
                await asyncio.sleep(0.05)
            assert pool.pids == []
            assert gone(first)
            stored = await pool.run(op="hash", password=PASSWORD)
            (second,) = pool.pids
        finally:
            await pool.stop()
        assert second != first
        assert stored.startswith("$argon2id$")

    async def test_a_worker_kept_busy_is_never_stopped_for_idleness(self) -> None:
        pool = HashingWorkers(2, "minimal", idle_seconds=0.3)
        await pool.start()
        try:
            await pool.run(op="hash", password=PASSWORD)
            (pid,) = pool.pids
            for _ in range(6):  # 0.6 s in all, never 0.3 s idle at a time
                await asyncio.sleep(0.1)
                await pool.run(op="hash", password=PASSWORD)
            assert pool.pids == [pid]
            assert not gone(pid)
        finally:
            await pool.stop()


class TestGivingUp:
    async def test_a_waiter_gone_as_it_is_woken_leaves_the_worker_to_the_next(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        pool = HashingWorkers(1, "minimal")
        await pool.start()
        waiting: dict[str, asyncio.Task[Any]] = {}
        give_back = pool._give_back

        async def give_back_then_lose_the_first(worker: Any) -> None:
            await give_back(worker)
            waiting["first"].cancel()  # its client went away in the very tick it was woken

        monkeypatch.setattr(pool, "_give_back", give_back_then_lose_the_first)
        try:
            holder = asyncio.create_task(pool.run(op="hash", password=PASSWORD))
            await asyncio.sleep(0.01)  # the one worker is starting for it: the others wait
            waiting["first"] = asyncio.create_task(pool.run(op="hash", password=PASSWORD))
            await asyncio.sleep(0)
            second = asyncio.create_task(pool.run(op="hash", password=PASSWORD))
            await holder
            assert (await asyncio.wait_for(second, 10)).startswith("$argon2id$")
            assert waiting["first"].cancelled()
        finally:
            await pool.stop()

    async def test_a_request_given_up_while_its_worker_starts_leaves_no_worker_behind(
        self,
    ) -> None:
        pool = HashingWorkers(1, "minimal")
        await pool.start()
        me = psutil.Process()
        try:
            request = asyncio.create_task(pool.run(op="hash", password=PASSWORD))
            while not me.children():  # the worker exists, and is still loading argon2
                await asyncio.sleep(0.001)
            started = [child.pid for child in me.children()]
            request.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await request
            for _ in range(100):
                if all(gone(pid) or pid in pool.pids for pid in started):
                    break
                await asyncio.sleep(0.05)
            assert all(gone(pid) or pid in pool.pids for pid in started)  # none untracked
        finally:
            await pool.stop()


# A process that starts workers, reports their pids, then dies without any cleanup.
ORPHAN_MAKER = textwrap.dedent(
    """
    import asyncio, os, sys
    from auth.passwords.workers import HashingWorkers

    async def main():
        pool = HashingWorkers(2, "minimal")
        await pool.start()
        await asyncio.gather(*(pool.run(op="hash", password="x") for _ in range(2)))
        print(" ".join(map(str, pool.pids)), flush=True)
        sys.stdin.readline()
        os._exit(1)

    asyncio.run(main())
    """
)


@pytest.mark.parametrize("how", ["exit", "sigkill"])
def test_workers_die_with_the_process_that_started_them(how: str) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", ORPHAN_MAKER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    assert parent.stdin is not None
    pids = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(pids) == 2
    assert not any(gone(pid) for pid in pids)
    if how == "exit":
        parent.stdin.write("\n")
        parent.stdin.flush()
    else:
        parent.kill()
    parent.wait(timeout=10)
    parent.stdin.close()
    parent.stdout.close()
    assert wait_until_gone(pids) == []
