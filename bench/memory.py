"""Resident memory of `logbook run` at rest: every process of the platform, as `make run` starts
it (SQLite, embedded NATS, memory stores), once it is healthy and has settled.

The target (issue 15 item 7) covers our own processes: the supervisor, the three services, their
password workers and the gateway; the embedded NATS is listed beside them. Resident memory
added up counts a page each process maps, such as the interpreter's and the libraries' code,
once per process; the distinct physical pages of all of them are what the platform occupies.
Figures are printed and appended to docs/BENCHMARKS.md.
"""

import os
import struct
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

from bench.measure import append_report, commit
from tests.e2e.stack import start_stack

SETTLE_SECONDS = 5.0
TARGET_MIB = 400
MIB = 2**20
PAGE = os.sysconf("SC_PAGE_SIZE")
PRESENT = 1 << 63  # /proc/<pid>/pagemap: bit 63 page present, bits 0-54 its frame number
FRAME = (1 << 55) - 1


def role(process: psutil.Process, supervisor: int) -> str:
    """What a process of the platform is, from its command line."""
    if process.pid == supervisor:
        return "supervisor"
    argv = process.cmdline()
    joined = " ".join(argv)
    if "auth.passwords.worker" in joined:
        return "password worker"
    if "serve" in argv:
        return argv[argv.index("serve") + 1]
    if argv and Path(argv[0]).name == "caddy":
        return "gateway"
    if argv and Path(argv[0]).name == "nats-server":
        return "nats"
    return joined[:60]


def frames(pid: int) -> set[int]:
    """The physical page frames a process has resident (read as 0 unless run as root)."""
    found: set[int] = set()
    with Path(f"/proc/{pid}/maps").open() as maps, Path(f"/proc/{pid}/pagemap").open("rb") as pages:
        for line in maps:
            start, end = (int(bound, 16) for bound in line.split()[0].split("-"))
            pages.seek(start // PAGE * 8)
            try:
                entries = pages.read((end - start) // PAGE * 8)
            except OSError:  # [vsyscall] lies outside what pagemap answers for
                continue
            found.update(e & FRAME for (e,) in struct.iter_unpack("<Q", entries) if e & PRESENT)
    return found


def at_rest(supervisor: int) -> tuple[list[tuple[str, int]], int | None]:
    """(role, resident bytes) of the supervisor and every process under it, and the bytes of
    the distinct physical pages of all but NATS (None when frame numbers cannot be read)."""
    root = psutil.Process(supervisor)
    processes = [root, *root.children(True)]
    named = [(role(p, supervisor), p) for p in processes]
    ours: set[int] = set().union(*(frames(p.pid) for name, p in named if name != "nats"))
    distinct = len(ours) * PAGE if ours - {0} else None
    return [(name, p.memory_info().rss) for name, p in named], distinct


def main() -> int:
    """Start the platform, let it settle, print and record every process's resident memory."""
    with tempfile.TemporaryDirectory() as workdir:
        # The tests' platforms hash at the minimal cost; `make run` at the standard one.
        stack = start_stack(Path(workdir), PASSWORD_HASH_COST="standard")  # noqa: S106 - a cost
        try:
            time.sleep(SETTLE_SECONDS)
            processes, distinct = at_rest(stack.process.pid)
        finally:
            stack.stop()
    ours = sum(rss for name, rss in processes if name != "nats")
    rows = [f"| {name} | {rss / MIB:.0f} MiB |" for name, rss in processes]
    report = "\n".join(
        [
            f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()} (memory at rest: "
            f"`python -m bench.memory`, `logbook run` as `make run` starts it, resident memory "
            f"(VmRSS) {SETTLE_SECONDS:.0f} s after it is healthy; {os.cpu_count()} cores)",
            "",
            "| process | resident |",
            "|---|---|",
            *rows,
            "",
            f"- Our own processes (all but NATS) together: {ours / MIB:.0f} MiB "
            f"(target: under {TARGET_MIB} MiB; the original's single worker: 382 MiB).",
            "- Their distinct physical memory (a page several of them map counted once): "
            + (f"{distinct / MIB:.0f} MiB." if distinct else "not readable (needs root)."),
            "",
        ]
    )
    append_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
