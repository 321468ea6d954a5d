"""Password hashing (Argon2id) and the password policy (spec/auth.md §5.1, §5.2).

A service starts `HashingWorkers` for its event loop (`start_hashing_workers`): hashes then run
in small child processes, and the service's own memory never holds their 64 MiB each. Without
them (the CLI, tests) a two-thread pool of this process does the work. Either way it is off the
event loop and at most two hashes run at once.
"""

import asyncio
import re
import string
import weakref
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

from shared.hashing_workers import HashingWorkers
from shared.password_worker import DUMMY_HASH, HASHER, verify

__all__ = ["DUMMY_HASH", "HASHER"]
T = TypeVar("T")

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

SPECIAL_CHARACTERS = "!@#$%^&*()_+-=[]{};':\"\\|,.<>/?~`"
COMMON_PASSWORDS = frozenset(
    {
        # Classics from breach lists.
        "password", "password1", "password123", "passw0rd", "p@ssw0rd", "qwerty", "qwerty123",
        "letmein", "admin", "admin123", "administrator", "welcome", "welcome1", "welcome123",
        "iloveyou", "changeme", "monkey", "dragon", "football", "baseball", "sunshine", "princess",
        "trustno1", "master", "shadow", "superman", "starwars", "secret", "default", "login",
        "abc123", "123456", "12345678", "123456789", "1234567890", "111111", "000000",
        # Fire-service words a department's members reach for first.
        "firefighter", "firehouse", "firedepart", "firedepartment", "fireman", "firestation",
        "rescue", "engine", "ladder", "station", "department", "emergency", "medic", "paramedic",
        "ems", "ambulance", "truck", "squad", "hydrant", "chief", "captain", "volunteer",
    }
)  # fmt: skip
KEYBOARD_PATTERNS = (
    "qwerty", "asdfgh", "zxcvbn", "qazwsx", "qweasd", "!@#$%^", "1qaz2wsx", "1234qwer", "asdf1234",
)  # fmt: skip
_RUNS = frozenset(
    alphabet[i : i + 3]
    for alphabet in (string.digits, string.ascii_lowercase)
    for i in range(len(alphabet) - 2)
)
_REPEAT = re.compile(r"(.)\1\1", re.DOTALL)


async def _in_thread(func: partial[T]) -> T:
    """Run a blocking Argon2 call on the hashing threads so the event loop keeps serving."""
    return await asyncio.get_running_loop().run_in_executor(_EXECUTOR, func)


async def start_hashing_workers() -> HashingWorkers:
    """Hash in worker processes from now on, for every caller on this event loop."""
    workers = HashingWorkers(HASHING_THREADS)
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
    return HASHER.hash(password)


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
        return await _in_thread(partial(HASHER.hash, password))
    result: str = await workers.run(op="hash", password=password)
    return result


async def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether the password matches; False for a mismatch, a malformed or a missing hash."""
    workers = hashing_workers()
    if workers is None:
        return await _in_thread(partial(verify, stored_hash, password))
    result: bool = await workers.run(op="verify", hash=stored_hash, password=password)
    return result


def needs_rehash(stored_hash: str) -> bool:
    """Whether a verified hash was made with parameters other than HASHER's."""
    return HASHER.check_needs_rehash(stored_hash)


def password_problems(
    password: str,
    *,
    require_upper: bool = True,
    require_lower: bool = True,
    require_digit: bool = True,
    require_special: bool = True,
    min_length: int = 12,
    max_length: int = 128,
) -> list[str]:
    """One sentence per broken §5.1 rule; an empty list means the password is acceptable."""
    lowered = password.lower()
    checks = (
        (len(password) < min_length, f"Password must be at least {min_length} characters long."),
        (len(password) > max_length, f"Password must be at most {max_length} characters long."),
        (require_upper and not any(c.isupper() for c in password),
         "Password must contain an uppercase letter."),
        (require_lower and not any(c.islower() for c in password),
         "Password must contain a lowercase letter."),
        (require_digit and not any(c in string.digits for c in password),
         "Password must contain a digit."),
        (require_special and not any(c in SPECIAL_CHARACTERS for c in password),
         f"Password must contain a special character ({SPECIAL_CHARACTERS})."),
        (any(lowered[i : i + 3] in _RUNS for i in range(len(lowered) - 2)),
         "Password must not contain a sequence such as 123 or abc."),
        (_REPEAT.search(password) is not None,
         "Password must not repeat a character 3 or more times in a row."),
        (lowered in COMMON_PASSWORDS, "Password is too common."),
        (any(pattern in lowered for pattern in KEYBOARD_PATTERNS),
         "Password must not contain a keyboard pattern such as qwerty."),
    )  # fmt: skip
    return [sentence for broken, sentence in checks if broken]


def policy_message(problems: list[str]) -> str:
    """The 400 detail: a lone problem as is, several counted and joined by '; '."""
    if len(problems) == 1:
        return problems[0]
    joined = "; ".join(problem.rstrip(".") for problem in problems)
    return f"Password has {len(problems)} problems: {joined}."
