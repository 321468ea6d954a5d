"""What the gateway adds to each answer and to the logs (issue 15 item 8), at the default level.

A department on MariaDB with 500 members created through `POST /users` (bench.members' roster):
the bytes of `GET /api/v1/users` on the wire with and without compression, and the log bytes
and lines every request leaves across gateway and services. Figures are printed and appended to
docs/BENCHMARKS.md.
"""

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import httpx

from bench.clients import sign_in
from bench.measure import append_report, commit
from bench.members import MEMBERS, seed_members
from tests.e2e.department import Department, running_department
from tests.e2e.stack import Stack

ROSTER = "/api/v1/users"
REQUESTS = 200
ENCODINGS = ("identity", "gzip", "zstd")


async def _seed(department: Department) -> None:
    cookies = await sign_in(department.gateway, department.admin_username)
    jar = aiohttp.CookieJar(unsafe=True)  # the gateway is an IP address
    jar.update_cookies(cookies)
    async with aiohttp.ClientSession(department.gateway, cookie_jar=jar) as admin:
        await seed_members(admin, cookies["csrf_token"], MEMBERS)


def roster_bytes(client: httpx.Client, encoding: str) -> tuple[int, str]:
    """Bytes of the roster's body on the wire when the client accepts `encoding`, and the
    encoding the gateway chose."""
    with client.stream("GET", ROSTER, headers={"Accept-Encoding": encoding}) as response:
        if response.status_code != 200:  # noqa: PLR2004 - OK
            raise RuntimeError(f"GET {ROSTER} answered {response.status_code}")
        size = sum(len(chunk) for chunk in response.iter_raw())
        return size, response.headers.get("content-encoding", "identity")


def log_size(stack: Stack) -> int:
    """Bytes the platform has logged so far (services and gateway, both streams)."""
    return stack.log_path.stat().st_size + stack.out_path.stat().st_size


def settled_log_size(stack: Stack) -> int:
    """The log's size once nothing was added for half a second (lines are written after the
    answer: the access line when the request ends, a service's when its middleware returns)."""
    size = log_size(stack)
    while True:
        time.sleep(0.5)
        now = log_size(stack)
        if now == size:
            return size
        size = now


def lines_with(stack: Stack, request_ids: set[str]) -> Iterator[str]:
    """Every log line naming one of the request ids."""
    for path in (stack.log_path, stack.out_path):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if any(req_id in line for req_id in request_ids):
                yield line


def per_request(stack: Stack, client: httpx.Client, path: str) -> tuple[float, float]:
    """Log bytes and lines per request over REQUESTS sequential GETs of `path`."""
    before = settled_log_size(stack)
    request_ids = set()
    for _ in range(REQUESTS):
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        request_ids.add(response.headers["x-request-id"])
    written = settled_log_size(stack) - before
    lines = sum(1 for _ in lines_with(stack, request_ids))
    return written / REQUESTS, lines / REQUESTS


def main() -> int:
    """Start a department on MariaDB, seed the roster, measure, print, record."""
    with (
        tempfile.TemporaryDirectory() as workdir,
        running_department(Path(workdir), "gateway", RATE_LIMIT_ENABLED="false") as dept,
    ):
        asyncio.run(_seed(dept))
        with dept.signed_in(dept.admin_username) as client:
            sizes = {encoding: roster_bytes(client, encoding) for encoding in ENCODINGS}
            me = per_request(dept.stack, client, "/api/v1/auth/me")
            roster = per_request(dept.stack, client, ROSTER)
            missing = per_request(dept.stack, client, "/no/such/page")
    identity = sizes["identity"][0]
    rows = [
        f"| `GET {ROSTER}` ({MEMBERS + 1} members), Accept-Encoding: {encoding} | {size:,} B "
        f"({chosen}) | {size / identity:.0%} |"
        for encoding, (size, chosen) in sizes.items()
    ]
    logs = [
        f"| {what} | {size:,.0f} B | {lines:.2f} |"
        for what, (size, lines) in (
            ("`GET /api/v1/auth/me` (auth)", me),
            (f"`GET {ROSTER}` (api)", roster),
            ("`GET /no/such/page` (the gateway's 404)", missing),
        )
    ]
    report = "\n".join(
        [
            f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()} (gateway: "
            f"`python -m bench.gateway`, MariaDB, JSON logs at the default level; "
            f"{os.cpu_count()} cores)",
            "",
            "| response | body on the wire | of identity |",
            "|---|---|---|",
            *rows,
            "",
            f"| {REQUESTS} requests of | log bytes per request | log lines per request |",
            "|---|---|---|",
            *logs,
            "",
            "- Targets (issue 15 item 8): the roster compressed when the client accepts it (the "
            "original: 227 KB sent as 22 KB gzip); about one log line per request across gateway "
            "and service, its request id and duration in it.",
            "",
        ]
    )
    append_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
