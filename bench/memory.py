"""Resident memory of `logbook run` at rest: every process of the platform, as `make run` starts
it (SQLite, embedded NATS, memory stores), once it is healthy and has settled.

The target (issue 15 item 7) covers our own processes: the supervisor, the three services, their
password workers and the gateway; the embedded NATS is listed beside them. Figures are printed
and appended to docs/BENCHMARKS.md.
"""

import os
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


def at_rest(supervisor: int) -> list[tuple[str, int]]:
    """(role, resident bytes) of the supervisor and every process under it."""
    root = psutil.Process(supervisor)
    return [(role(p, supervisor), p.memory_info().rss) for p in [root, *root.children(True)]]


def main() -> int:
    """Start the platform, let it settle, print and record every process's resident memory."""
    with tempfile.TemporaryDirectory() as workdir:
        stack = start_stack(Path(workdir))
        try:
            time.sleep(SETTLE_SECONDS)
            processes = at_rest(stack.process.pid)
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
            "",
        ]
    )
    append_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
