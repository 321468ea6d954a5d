"""Sign-in and `/auth/me` throughput through the gateway, beside the raw Argon2 ceiling."""

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from shared.passwords import HASHER, hash_password_sync
from tests.e2e.stack import ROOT, start_stack
from tests.e2e.test_auth_flow import PASSWORD, create_admin

RESULTS = ROOT / "docs" / "BENCHMARKS.md"
LOGIN_SECONDS = 10.0
ME_SECONDS = 10.0


@dataclass
class Run:
    """Latencies of one measured run."""

    label: str
    clients: int
    seconds: float
    latencies: list[float]
    errors: int

    def line(self) -> str:
        rate = len(self.latencies) / self.seconds
        p50 = statistics.median(self.latencies) * 1000
        p99 = statistics.quantiles(self.latencies, n=100)[98] * 1000
        return (
            f"| {self.label} | {self.clients} | {rate:.1f}/s | {p50:.1f} ms | {p99:.1f} ms "
            f"| {self.errors} |"
        )


async def _hammer(base: str, clients: int, seconds: float, request: str) -> Run:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client_loop() -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            if request == "me":
                await client.post(
                    "/api/v1/auth/login", json={"username": "bench", "password": PASSWORD}
                )
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                if request == "login":
                    client.cookies.clear()  # each sign-in as a new browser
                    response = await client.post(
                        "/api/v1/auth/login", json={"username": "bench", "password": PASSWORD}
                    )
                else:
                    response = await client.get("/api/v1/auth/me")
                if response.is_success:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(client_loop() for _ in range(clients)))
    label = "sign-in (POST /auth/login)" if request == "login" else "GET /auth/me"
    return Run(label, clients, time.perf_counter() - started, latencies, errors)


def argon2_ceiling(seconds: float = 5.0, threads: int = 4) -> float:
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


async def _measure(base: str) -> list[Run]:
    runs = [await _hammer(base, clients, LOGIN_SECONDS, "login") for clients in (1, 8, 32)]
    runs.append(await _hammer(base, 8, ME_SECONDS, "me"))
    return runs


def main() -> int:
    """Start a stack, measure, print, append to docs/BENCHMARKS.md."""
    with tempfile.TemporaryDirectory() as workdir:
        stack = start_stack(Path(workdir), RATE_LIMIT_ENABLED="false", LOG_LEVEL="WARNING")
        try:
            created = create_admin(
                Path(workdir) / "var" / "logbook.db", "bench", "bench@example.org"
            )
            if created.returncode != 0:
                sys.stderr.write(created.stderr)
                return 1
            runs = asyncio.run(_measure(stack.gateway))
        finally:
            stack.stop()
    ceiling = argon2_ceiling()
    best_login = max(len(r.latencies) / r.seconds for r in runs if "sign-in" in r.label)
    lines = [
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {_commit()} "
        "(make run stack: SQLite, embedded NATS, memory stores, one process per service)",
        "",
        "| what | clients | rate | p50 | p99 | errors |",
        "|---|---|---|---|---|---|",
        *(run.line() for run in runs),
        "",
        f"Raw Argon2id verification ceiling on this machine (4 threads): {ceiling:.1f}/s; "
        f"best sign-in rate is {best_login / ceiling:.0%} of it.",
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
