"""`GET /api/v1/users` with 500 members and `GET /users/{id}/with-roles`, through the gateway.

The platform runs on the machine's MariaDB (the production database kind) with a department of
500 members created through `POST /users`, so their personal data is encrypted as in real use.
Figures are printed and appended to docs/BENCHMARKS.md.
"""

import asyncio
import os
import sys
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import uvloop

from bench.clients import reader, sign_in
from bench.measure import RssSampler, Run, append_report, commit, hammer
from launcher.ports import SERVICES
from tests.e2e.department import Department, running_department

MEMBERS = 500
CLIENTS = 8
SECONDS = 10.0
CREATORS = 4  # concurrent POST /users while seeding


async def seed_members(client: aiohttp.ClientSession, csrf: str, count: int) -> str:
    """Create `count` members with contact details; returns one member's id."""
    queue = list(range(count))
    created: list[str] = []

    async def creator() -> None:
        while queue:
            n = queue.pop()
            body = {
                "username": f"ff{n:04d}{uuid.uuid4().hex[:4]}",
                "email": f"ff{n:04d}.{uuid.uuid4().hex[:6]}@station9.example.org",
                "first_name": f"First{n}",
                "last_name": f"Last{n:04d}",
                "phone": f"555-01{n:04d}",
                "mobile": f"555-02{n:04d}",
                "station": f"Station {n % 4 + 1}",
                "rank": "firefighter",
                "send_welcome_email": False,
            }
            async with client.post(
                "/api/v1/users", json=body, headers={"X-CSRF-Token": csrf}
            ) as response:
                if response.status != 201:  # noqa: PLR2004 - Created
                    raise RuntimeError(f"creating a member failed: {await response.text()}")
                created.append((await response.json())["id"])

    await asyncio.gather(*(creator() for _ in range(CREATORS)))
    return created[0]


async def _measure(department: Department) -> list[Run]:
    base = department.gateway
    url = urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    cookies = await sign_in(base, department.admin_username)
    jar = aiohttp.CookieJar(unsafe=True)  # the gateway is an IP address
    jar.update_cookies(cookies)
    async with aiohttp.ClientSession(base, cookie_jar=jar) as admin:
        member_id = await seed_members(admin, cookies["csrf_token"], MEMBERS)
    runs = []
    for label, path in (
        (f"GET /users ({MEMBERS + 1} members)", "/api/v1/users"),
        ("GET /users/{id}/with-roles", f"/api/v1/users/{member_id}/with-roles"),
    ):
        readers = [
            (await reader(host, port, path, {"access_token": cookies["access_token"]})).get
            for _ in range(CLIENTS)
        ]
        await hammer(readers, 2.0, "warm-up")  # the first list read fills the api's cache
        runs.append(await hammer(readers, SECONDS, label))
    return runs


def main() -> int:
    """Start a department on MariaDB, measure, print, append to docs/BENCHMARKS.md."""
    with tempfile.TemporaryDirectory() as workdir:
        load_before = os.getloadavg()[0]
        with running_department(
            Path(workdir), "bench", RATE_LIMIT_ENABLED="false", LOG_LEVEL="WARNING"
        ) as department:
            pids = {
                line["process"]: line["pid"]
                for line in department.stack.json_lines()
                if line.get("event") == "run.started" and line.get("process") in SERVICES
            }
            sampler = RssSampler(pids)
            try:
                with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                    runs = runner.run(_measure(department))
            finally:
                sampler.stop()
    load_after = os.getloadavg()[0]
    listing = runs[0]
    lines = [
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()} (members: MariaDB, "
        f"embedded NATS, memory stores; load average {load_before:.1f} before and "
        f"{load_after:.1f} after, {os.cpu_count()} cores)",
        "",
        "| what | clients | rate | p50 | p99 | errors |",
        "|---|---|---|---|---|---|",
        *(run.line() for run in runs),
        "",
        f"- `GET /users` with {MEMBERS + 1} members at 8 clients: {listing.rate:.0f}/s, "
        f"p99 {listing.p99:.1f} ms (target: at least 150/s, p99 under 100 ms; the original: "
        "about 15/s, p99 837 ms).",
        f"- Peak resident memory per process: {sampler.summary()} (target: under 150 MB each).",
        "",
    ]
    report = "\n".join(lines)
    append_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
