"""Password hashing (Argon2id, spec/auth.md §5.2), off the event loop.

A service starts `HashingWorkers` for its event loop (`start_hashing_workers`): hashes then run
in small child processes, and the service's own memory never holds their 64 MiB each. Without
them (the CLI, tests) a two-thread pool of this process does the work. Either way it is off the
event loop and at most two hashes run at once.
"""

import asyncio
import weakref
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

from auth.passwords.worker import DUMMY_HASH, HASHER, STANDARD, Cost, cost_named, verify
from auth.passwords.workers import HashingWorkers

__all__ = ["DUMMY_HASH", "HASHER"]
T = TypeVar("T")
# PASSWORD_HASH_COST of this process, chosen once at startup (`use_hash_cost`).
_cost: Cost = STANDARD

# Two at a time (threads, or worker processes): one per core of the machines this runs on, and
# at most 128 MiB of hashing memory.
HASHING_THREADS = 2
_EXECUTOR = ThreadPoolExecutor(max_workers=HASHING_THREADS, thread_name_prefix="argon2")
_SLOTS: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]" = (
    weakref.WeakKeyDictionary()
)
_WORKERS: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, HashingWorkers]" = (
    weakref.WeakKeyDictionary()
)


async def _in_thread(func: partial[T]) -> T:
    """Run a blocking Argon2 call on the hashing threads so the event loop keeps serving."""
    return await asyncio.get_running_loop().run_in_executor(_EXECUTOR, func)


def use_hash_cost(name: str) -> None:
    """Hash with PASSWORD_HASH_COST `name` in this process and the workers it starts from now."""
    global _cost  # noqa: PLW0603 - one setting for the whole process, read by every hash
    _cost = cost_named(name)


async def start_hashing_workers() -> HashingWorkers:
    """Hash in worker processes from now on, for every caller on this event loop."""
    workers = HashingWorkers(HASHING_THREADS, _cost.name)
    await workers.start()
    _WORKERS[asyncio.get_running_loop()] = workers
    return workers


async def stop_hashing_workers() -> None:
    """Stop this event loop's workers (hashing falls back to threads)."""
    workers = _WORKERS.pop(asyncio.get_running_loop(), None)
    if workers is not None:
        await workers.stop()


def hashing_workers() -> HashingWorkers | None:
    """This event loop's worker processes, if started."""
    return _WORKERS.get(asyncio.get_running_loop())


def hash_password_sync(password: str) -> str:
    """Argon2id PHC string for a password; blocks, so only for the CLI."""
    return _cost.hasher.hash(password)


def hashing_slot() -> asyncio.Semaphore:
    """One of as many slots as hashes may run at once, for a whole sign-in.

    Taken before a sign-in opens its database transaction: a storm of sign-ins then queues
    here, holding no connection, instead of holding every pooled connection while it waits
    for a hashing worker and starving the other requests of the service.
    """
    loop = asyncio.get_running_loop()
    slot = _SLOTS.get(loop)
    if slot is None:
        slot = _SLOTS[loop] = asyncio.Semaphore(HASHING_THREADS)
    return slot


async def hash_password(password: str) -> str:
    """Argon2id PHC string for a password, computed off the event loop."""
    workers = hashing_workers()
    if workers is None:
        return await _in_thread(partial(_cost.hasher.hash, password))
    result: str = await workers.run(op="hash", password=password)
    return result


async def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether the password matches; False for a mismatch, a malformed or a missing hash."""
    workers = hashing_workers()
    if workers is None:
        return await _in_thread(partial(verify, stored_hash, password, _cost))
    result: bool = await workers.run(op="verify", hash=stored_hash, password=password)
    return result


def needs_rehash(stored_hash: str) -> bool:
    """Whether a verified hash was made with parameters other than this process's cost."""
    return _cost.hasher.check_needs_rehash(stored_hash)
