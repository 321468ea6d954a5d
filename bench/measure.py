"""What every benchmark shares: timed client loops, the figures' rows, peak memory, the report."""

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bench.clients import Call
from tests.e2e.stack import ROOT

RESULTS = ROOT / "docs" / "BENCHMARKS.md"
# BENCH_RECORD=0 prints the figures without recording them: a trial run on a busy machine.
RECORD = "BENCH_RECORD"
MIN_SAMPLES = 2


@dataclass
class Run:
    """Latencies of one measured run."""

    label: str
    clients: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        return len(self.latencies) / self.seconds

    @property
    def p99(self) -> float:
        """99th percentile latency in milliseconds."""
        if len(self.latencies) < MIN_SAMPLES:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100)[98] * 1000

    def line(self) -> str:
        """One table row."""
        p50 = statistics.median(self.latencies) * 1000 if self.latencies else float("nan")
        return (
            f"| {self.label} | {self.clients} | {self.rate:.1f}/s | {p50:.1f} ms "
            f"| {self.p99:.1f} ms | {self.errors} |"
        )


async def hammer(calls: Sequence[Call], seconds: float, label: str) -> Run:
    """Every client's call back to back for `seconds`; a client whose connection drops stops."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client_loop(call: Call) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                ok = await call()
            except ConnectionError:
                errors += 1
                return
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(client_loop(call) for call in calls))
    return Run(label, len(calls), time.perf_counter() - started, latencies, errors)


def commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH, as developers run it
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or "unknown"


# Run as a process of its own: sampling in the benchmark's event loop would stall the clients
# it times. Prints {"pid": [own peak, {child pid: peak}]} once its standard input closes.
SAMPLER = """
import json, sys, threading, time
import psutil
peaks = {int(pid): [0, {}] for pid in sys.argv[1:]}
done = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
while not done.wait(0.2):
    for pid, peak in peaks.items():
        try:
            process = psutil.Process(pid)
            peak[0] = max(peak[0], process.memory_info().rss)
            for child in process.children(recursive=True):
                peak[1][child.pid] = max(peak[1].get(child.pid, 0), child.memory_info().rss)
        except psutil.Error:
            pass
print(json.dumps(peaks))
"""


class RssSampler:
    """Peak resident memory of each service process and of its children (hashing workers)."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self._process = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script
            [sys.executable, "-c", SAMPLER, *map(str, pids.values())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.peaks: dict[str, tuple[int, dict[str, int]]] = {}

    def stop(self) -> None:
        """Stop sampling and collect the peaks."""
        output, _ = self._process.communicate("", timeout=30)
        found = json.loads(output)
        self.peaks = {name: tuple(found[str(pid)]) for name, pid in self.pids.items()}

    def summary(self) -> str:
        """`auth 98 MB (+ 2 child processes, at most 81 MB each)` for every service."""
        parts = []
        for name, (peak, children) in self.peaks.items():
            text = f"{name} {peak / 2**20:.0f} MB"
            if children:
                text += (
                    f" (+ {len(children)} child processes over the run, "
                    f"at most {max(children.values()) / 2**20:.0f} MB each)"
                )
            parts.append(text)
        return ", ".join(parts)


def append_report(report: str) -> None:
    """Print the figures and append them to docs/BENCHMARKS.md (unless BENCH_RECORD=0)."""
    sys.stdout.write(report + "\n")
    if os.environ.get(RECORD, "1") == "0":
        return
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmarks\n\nAppended by `make bench`; newest last.\n\n")
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(report + "\n")
