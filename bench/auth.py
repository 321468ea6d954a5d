"""Sign-in and `/auth/me` throughput through the gateway, beside the raw Argon2 ceiling."""

import asyncio
import gc
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import uvloop

from auth.passwords.hashing import HASHER, hash_password_sync
from bench.clients import Call, browsers, reader
from bench.measure import RssSampler, Run, append_report, commit, hammer
from launcher.ports import SERVICES
from tests.e2e.auth_platform import PASSWORD, create_admin
from tests.e2e.stack import start_stack

LOGIN_SECONDS = 10.0
ME_SECONDS = 10.0
CLIENTS = 8  # the concurrency the targets are stated at
SIGN_IN = "sign-in (POST /auth/login)"
ME = "GET /auth/me"


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
            runs.append(await hammer(calls, LOGIN_SECONDS, SIGN_IN))
    readers = await _readers(base, CLIENTS)
    runs.append(await hammer(readers, ME_SECONDS, ME))
    # The storm: 32 browsers signing in while the 8 signed-in ones read /auth/me.
    async with browsers(base, 32) as stormers:
        storm, during = await asyncio.gather(
            hammer([b.sign_in for b in stormers], ME_SECONDS, "sign-in storm (POST /auth/login)"),
            hammer(readers, ME_SECONDS, "GET /auth/me during a 32-client sign-in storm"),
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
        # Sign-ins are what is measured: at the production hashing cost, not the tests' minimal.
        stack = start_stack(
            Path(workdir),
            RATE_LIMIT_ENABLED="false",
            LOG_LEVEL="WARNING",
            PASSWORD_HASH_COST="standard",  # noqa: S106 - a cost, not a password
        )
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
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()} "
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
    append_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
