"""`GET /api/v1/notifications/my/unread-count` with 10,000 notifications, through the gateway.

Every open tab polls the unread count every 60 s, so it must stay cheap as the log grows: the
organization gets 10,000 notifications (1,000 of them the reader's, half unread, some expired),
written straight into the machine's MariaDB, and 8 clients read the count back to back.
Figures are printed and appended to docs/BENCHMARKS.md.
"""

import asyncio
import os
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import uvloop

from bench.clients import reader
from bench.measure import RssSampler, Run, append_report, commit, hammer
from launcher.ports import SERVICES
from tests.e2e.department import PASSWORD, Department, running_department

NOTIFICATIONS = 10_000
OWN = 1_000  # the reader's share; the rest spread over 90 other members
OTHERS = 90
CLIENTS = 8
SECONDS = 10.0
BATCH = 1_000
INSERT = (
    "INSERT INTO notification_logs (id, organization_id, recipient_id, channel, category,"
    " subject, message, sent_at, delivered, `read`, read_at, pinned, expires_at, created_at)"
    " VALUES (%s,%s,%s,%s,'security',%s,'A notice for the benchmark',%s,1,%s,%s,0,%s,%s)"
)


def _rows(organization_id: str, reader_id: str) -> list[tuple[object, ...]]:
    """The notifications: the reader's own first, then the other members'."""
    now = datetime.now(UTC).replace(tzinfo=None)
    others = [uuid.uuid4().hex for _ in range(OTHERS)]
    rows = []
    for n in range(NOTIFICATIONS):
        recipient = reader_id if n < OWN else others[n % OTHERS]
        sent = now - timedelta(minutes=n)
        read = n % 2 == 0
        expires = now - timedelta(days=1) if n % 10 == 1 else None  # some expired, unread
        channel = "email" if n % 7 == 0 else "in_app"
        rows.append(
            (
                uuid.uuid4().hex,
                organization_id,
                recipient,
                channel,
                f"Notice {n}",
                sent,
                read,
                sent if read else None,
                expires,
                sent,
            )
        )
    return rows


def _seed(department: Department) -> str:
    """Write the notifications; the reader's expected unread count."""
    organization = uuid.UUID(department.organization_id).hex
    (admin,) = department.query(
        "SELECT id FROM users WHERE username = %s", department.admin_username
    )
    rows = _rows(organization, str(admin["id"]))
    with department.connect() as db, db.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(INSERT, rows[start : start + BATCH])
    return str(
        sum(
            1
            for row in rows
            if row[2] == admin["id"] and row[3] == "in_app" and not row[6] and row[8] is None
        )
    )


async def _measure(department: Department, expected: str) -> list[Run]:
    base = department.gateway
    url = urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(base, cookie_jar=jar) as admin:
        login = {"username": department.admin_username, "password": PASSWORD}
        async with admin.post("/api/v1/auth/login", json=login) as response:
            if response.status != 200:  # noqa: PLR2004 - OK
                raise RuntimeError("the administrator could not sign in")
        async with admin.get("/api/v1/notifications/my/unread-count") as response:
            answer = await response.json()
        if answer != {"unread_count": int(expected)}:
            raise RuntimeError(f"unexpected unread count {answer}, expected {expected}")
        cookies = {c.key: c.value for c in jar}
    runs = []
    for label, path in (
        (
            f"GET /notifications/my/unread-count ({NOTIFICATIONS:,} in the organization)",
            "/api/v1/notifications/my/unread-count",
        ),
        ("GET /notifications/my?limit=20", "/api/v1/notifications/my?limit=20"),
        # The api's floor through the gateway: the same sign-in checks, no database query.
        ("GET /notifications/push/config (no query)", "/api/v1/notifications/push/config"),
    ):
        readers = [
            (await reader(host, port, path, {"access_token": cookies["access_token"]})).get
            for _ in range(CLIENTS)
        ]
        await hammer(readers, 2.0, "warm-up")
        runs.append(await hammer(readers, SECONDS, label))
    return runs


def main() -> int:
    """Start a department on MariaDB, measure, print, append to docs/BENCHMARKS.md."""
    with tempfile.TemporaryDirectory() as workdir:
        load_before = os.getloadavg()[0]
        with running_department(
            Path(workdir), "bench", RATE_LIMIT_ENABLED="false", LOG_LEVEL="WARNING"
        ) as department:
            expected = _seed(department)
            pids = {
                line["process"]: line["pid"]
                for line in department.stack.json_lines()
                if line.get("event") == "run.started" and line.get("process") in SERVICES
            }
            sampler = RssSampler(pids)
            try:
                with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                    runs = runner.run(_measure(department, expected))
            finally:
                sampler.stop()
    load_after = os.getloadavg()[0]
    count = runs[0]
    lines = [
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()} (notifications: MariaDB, "
        f"embedded NATS, memory stores; load average {load_before:.1f} before and "
        f"{load_after:.1f} after, {os.cpu_count()} cores)",
        "",
        "| what | clients | rate | p50 | p99 | errors |",
        "|---|---|---|---|---|---|",
        *(run.line() for run in runs),
        "",
        f"- Unread count with {NOTIFICATIONS:,} notifications at {CLIENTS} clients: "
        f"{count.rate:.0f}/s, p99 {count.p99:.1f} ms (target: at least 1,000/s, p99 under "
        "20 ms). Between changes to a member's inbox the count comes from the member cache; "
        "a miss is one count read from the covering index ix_notification_logs_unread.",
        f"- Peak resident memory per process: {sampler.summary()} (target: under 150 MB each).",
        "",
    ]
    append_report("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
