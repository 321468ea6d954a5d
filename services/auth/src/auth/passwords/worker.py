"""Argon2id hashing: the parameters, and a child process that does nothing else.

`python -m auth.passwords.worker` reads one JSON request per line on standard input and answers
one JSON line on standard output. It imports argon2 and the standard library only, so a worker
stays near 20 MB plus the 64 MiB a hash holds while it runs, and the service's own process never
grows by that. It never logs: requests carry passwords. It exits when its input closes, and the
kernel kills it if the service dies first.
"""

import ctypes
import json
import os
import signal
import sys
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher(
    time_cost=3, memory_cost=65536, parallelism=4, hash_len=32, salt_len=16, type=Type.ID
)
# Hash of a discarded random secret with HASHER's parameters, verified when there is no stored
# hash so an unknown account costs as much as a real one; a test keeps it in step with HASHER.
DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$G3W37GH8adPdmFkQbAVeTA"
    "$QsKNa6epkl9PGZEz1HAPHEFVzJi4I6R/4wwcgFpOL5s"
)
# PASSWORD_HASH_COST=minimal: Argon2id at its smallest, for test platforms that sign in hundreds
# of times (a standard hash is 0.18 s of CPU). Production and staging refuse to start with it.
MINIMAL_HASHER = PasswordHasher(
    time_cost=1, memory_cost=8, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)


@dataclass(frozen=True)
class Cost:
    """The hasher of one PASSWORD_HASH_COST and the dummy hash verified for unknown accounts."""

    name: str
    hasher: PasswordHasher
    dummy_hash: str


STANDARD = Cost("standard", HASHER, DUMMY_HASH)


def cost_named(name: str) -> Cost:
    """The cost of a PASSWORD_HASH_COST value; the minimal one's dummy is made when asked."""
    if name == "minimal":
        # os.urandom, not the secrets module: its hashlib would load OpenSSL into every worker,
        # 4 MiB of the 17 a worker took at rest.
        return Cost(name, MINIMAL_HASHER, MINIMAL_HASHER.hash(os.urandom(16).hex()))
    return STANDARD


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
# Below the services in the scheduler's eyes: when a sign-in storm meets other traffic, the
# cores go to requests first and the hashes queue, instead of every request waiting behind two
# busy hashes. With no other work about, a nice process still gets all the idle CPU.
NICENESS = 10


def verify(stored_hash: str | None, password: str, cost: Cost = STANDARD) -> bool:
    """Blocking verify; a missing hash still pays for a full verify against the dummy hash."""
    try:
        cost.hasher.verify(cost.dummy_hash if stored_hash is None else stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return stored_hash is not None


def answer(request: dict[str, Any], cost: Cost = STANDARD) -> dict[str, Any]:
    """The reply to one request: `{"result": ...}`, or `{"error": <exception type>}`."""
    try:
        if request["op"] == "hash":
            return {"result": cost.hasher.hash(request["password"])}
        return {"result": verify(request["hash"], request["password"], cost)}
    except Exception as exc:  # noqa: BLE001 - the service decides; only the type travels
        return {"error": type(exc).__name__}


def _die_with(parent: int) -> None:
    # The kernel sends SIGKILL when the parent dies, even by SIGKILL; if it died before this
    # line ran, the parent id has already changed and the worker leaves at once.
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        sys.exit(0)


def main() -> None:
    """Serve requests until standard input closes: `worker <parent pid> [<cost name>]`."""
    args = sys.argv[1:]
    _die_with(int(args[0]) if args else os.getppid())
    cost = cost_named(args[1] if len(args) > 1 else "standard")
    # SIGINT (Ctrl-C in a terminal reaches the whole process group) is the service's to handle.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(NICENESS)
    _send({"ready": True})
    for line in sys.stdin.buffer:
        _send(answer(json.loads(line), cost))


def _send(reply: dict[str, Any]) -> None:
    sys.stdout.buffer.write(json.dumps(reply).encode() + b"\n")
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
