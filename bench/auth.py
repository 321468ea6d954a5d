"""Sign-in and `/auth/me` throughput through the gateway, beside the raw Argon2 ceiling."""

import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import uvloop

from bench.clients import Call, browsers, reader
from shared.passwords import HASHER, hash_password_sync
from shared.serve import SERVICES
from tests.e2e.stack import ROOT, start_stack
from tests.e2e.test_auth_flow import PASSWORD, create_admin

RESULTS = ROOT / "docs" / "BENCHMARKS.md"
LOGIN_SECONDS = 10.0
ME_SECONDS = 10.0
CLIENTS = 8  # the concurrency the targets are stated at
MIN_SAMPLES = 2
SIGN_IN = "sign-in (POST /auth/login)"
ME = "GET /auth/me"


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


async def _hammer(calls: Sequence[Call], seconds: float, label: str) -> Run:
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


async def _readers(base: str, count: int) -> list[Call]:
    """`count` signed-in browsers reading `/auth/me`, each on a connection of its own."""
    url = urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    calls: list[Call] = []
    async with browsers(base, count) as signing_in:
        for browser in signing_in:
            if not await browser.sign_in():
                raise RuntimeError("the benchmark member could not sign in")
            cookies = {"access_token": browser.cookie("access_token")}
            calls.append((await reader(host, port, "/api/v1/auth/me", cookies)).get)
    return calls


async def _measure(base: str) -> list[Run]:
    runs = []
    for count in (1, 8, 32):
        async with browsers(base, count) as clients:
            calls = [browser.sign_in for browser in clients]
            runs.append(await _hammer(calls, LOGIN_SECONDS, SIGN_IN))
    readers = await _readers(base, CLIENTS)
    runs.append(await _hammer(readers, ME_SECONDS, ME))
    # The storm: 32 browsers signing in while the 8 signed-in ones read /auth/me.
    async with browsers(base, 32) as stormers:
        storm, during = await asyncio.gather(
            _hammer([b.sign_in for b in stormers], ME_SECONDS, "sign-in storm (POST /auth/login)"),
            _hammer(readers, ME_SECONDS, "GET /auth/me during a 32-client sign-in storm"),
        )
    return [*runs, storm, during]


def argon2_ceiling(seconds: float = 5.0, threads: int = 2) -> float:
    """Raw verifications per second of the same parameters, all cores busy."""
    stored = hash_password_sync(PASSWORD)
    deadline = time.perf_counter() + seconds

    def worker() -> int:
        count = 0
        while time.perf_counter() < deadline:
            HASHER.verify(stored, PASSWORD)
            count += 1
        return count

    with ThreadPoolExecutor(threads) as pool:
        total = sum(pool.map(lambda _: worker(), range(threads)))
    return total / seconds


def _commit() -> str:
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


def _measure_with_memory(base: str, pids: dict[str, int]) -> tuple[list[Run], RssSampler]:
    sampler = RssSampler(pids)
    # The client's own full garbage collections would show up as server latency.
    gc.collect()
    gc.freeze()
    try:
        # uvloop, as the services run: the client's own overhead stays small beside theirs.
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(_measure(base)), sampler
    finally:
        sampler.stop()


def main() -> int:
    """Start a stack, measure, print, append to docs/BENCHMARKS.md."""
    with tempfile.TemporaryDirectory() as workdir:
        load_before = os.getloadavg()[0]
        stack = start_stack(Path(workdir), RATE_LIMIT_ENABLED="false", LOG_LEVEL="WARNING")
        try:
            created = create_admin(
                Path(workdir) / "var" / "logbook.db", "bench", "bench@example.org"
            )
            if created.returncode != 0:
                sys.stderr.write(created.stderr)
                return 1
            pids = {
                line["process"]: line["pid"]
                for line in stack.json_lines()
                if line.get("event") == "run.started" and line.get("process") in SERVICES
            }
            runs, sampler = _measure_with_memory(stack.gateway, pids)
        finally:
            stack.stop()
    ceiling = argon2_ceiling()
    load_after = os.getloadavg()[0]
    login_8 = next(r for r in runs if r.label == SIGN_IN and r.clients == CLIENTS)
    me_rest = next(r for r in runs if r.label == ME)
    me_storm = runs[-1]
    memory = sampler.summary()
    lines = [
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {_commit()} "
        "(make run stack: SQLite, embedded NATS, memory stores, one process per service; "
        f"load average {load_before:.1f} before and {load_after:.1f} after, "
        f"{os.cpu_count()} cores)",
        "",
        "| what | clients | rate | p50 | p99 | errors |",
        "|---|---|---|---|---|---|",
        *(run.line() for run in runs),
        "",
        f"- Argon2id ceiling (2 threads verifying back to back, same parameters): {ceiling:.1f}/s; "
        f"sign-in at 8 clients is {login_8.rate / ceiling:.0%} of it (target: at least 70%).",
        f"- `/auth/me` at 8 clients: {me_rest.rate:.0f}/s, p99 {me_rest.p99:.1f} ms "
        "(target: at least 1,000/s, p99 under 15 ms; the original: about 108/s, p99 100 ms).",
        f"- `/auth/me` p99 during the storm: {me_storm.p99:.1f} ms, "
        f"{me_storm.p99 / me_rest.p99:.1f}x its p99 at rest, {me_storm.errors} failed "
        "(target: within 3x, none failed).",
        f"- Peak resident memory per process: {memory} (target: under 150 MB each).",
        "",
    ]
    report = "\n".join(lines)
    sys.stdout.write(report + "\n")
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmarks\n\nAppended by `make bench`; newest last.\n\n")
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
