"""Inventory through the gateway: the item list of 2,000 items, the scan lookup, checkout and
check-in pairs, and the live page's WebSocket fan-out (issue 12).

The department's 2,000 items (in six categories, a few pools among them) are written straight
into the machine's MariaDB; 8 clients read the first and the last page of 50 (the page size of
the inventory page's "load more"), look one barcode up as the scan desk does, and lend and take
back an item of their own, one borrower each. Then 50 members, each signed in like a browser,
hold the inventory socket open while an item is renamed over HTTP again and again: the time from
sending each change to its `inventory_changed` frame on every socket. Figures are printed and
appended to docs/BENCHMARKS.md (BENCH_RECORD=0 prints them only).
"""

import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import aiohttp
import uvloop
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

from bench.clients import (
    HTTP_OK,
    Call,
    Reader,
    expect,
    gateway_address,
    http_request,
    reader,
    sign_in,
)
from bench.measure import RssSampler, Run, append_report, commit, hammer
from launcher.ports import SERVICES
from tests.e2e.department import Department, running_department

ITEMS = 2_000
PAGE = 50  # the inventory page loads 50 at a time (spec inventory.md §6.2 #6)
CLIENTS = 8
SECONDS = 10.0
WARM_UP_SECONDS = 2.0
SOCKETS = 50
CHANGES = 100
WARM_UP_CHANGES = 5
FRAME_SECONDS = 5.0  # a socket without the frame by then counts as missed
SIGNING_IN = 4  # concurrent sign-ins while the sockets' members open their browsers
BATCH = 500
CREATED = 201
POOL_STOCK = 40
# (name, item type, tracking, sizes): what a station's stores hold.
CATEGORIES = (
    ("Breathing apparatus", "equipment", "individual", ()),
    ("Turnout gear", "ppe", "individual", ("m", "l", "xl")),
    ("Hand tools", "tool", "individual", ()),
    ("Radios", "electronics", "individual", ()),
    ("Station uniforms", "uniform", "pool", ("s", "m", "l", "xl")),
    ("Consumables", "consumable", "pool", ()),
)
KINDS = {
    "Breathing apparatus": ("SCBA cylinder", "MSA", "G1 45 min"),
    "Turnout gear": ("Turnout coat", "Globe", "G-Xtreme"),
    "Hand tools": ("Halligan bar", "Fire Hooks", "Pro-Bar 30"),
    "Radios": ("Portable radio", "Motorola", "APX 6000"),
    "Station uniforms": ("Station T-shirt", "Lion", "Crew neck"),
    "Consumables": ("Nitrile gloves (box of 100)", "Ansell", "Micro-Touch"),
}
COLORS = ("black", "tan", "yellow", "navy", "red")
CONDITIONS = ("excellent", "good", "good", "fair")
LOOKED_UP = 1_234  # the item whose barcode the scan desk reads
RENAMED = "Fan-out"  # the names the socket benchmark gives its item, numbered
INSERT = (
    "INSERT INTO inventory_items (id, organization_id, category_id, name, description,"
    " manufacturer, model_number, serial_number, serial_number_lower, asset_tag,"
    " asset_tag_lower, barcode, barcode_lower, size, color, station, purchase_price,"
    " current_value, `condition`, status, tracking_type, quantity, quantity_issued, active,"
    " created_by, created_at, updated_at)"
    " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,'available',%s,%s,0,1,"
    "%s,%s,%s)"
)


@dataclass
class Seeded:
    """What the measurements address: the lent items, the scanned code, the renamed item."""

    lent: list[str]
    code: str
    renamed: str


def barcode(n: int) -> str:
    return f"INV-{n + 1:06d}"


def _item_rows(
    organization: str, categories: dict[str, str], admin: str
) -> tuple[list[tuple[object, ...]], list[str]]:
    """The items' rows (spread over the categories) and the ids of the individual ones."""
    now = datetime.now(UTC).replace(tzinfo=None)
    rows: list[tuple[object, ...]] = []
    individual = []
    for n in range(ITEMS):
        category, _, tracking, sizes = CATEGORIES[n % len(CATEGORIES)]
        kind, manufacturer, model = KINDS[category]
        item_id = uuid.uuid4()
        serial = f"SN{n:07d}" if tracking == "individual" else None
        tag = f"AT-{n:05d}" if n % 3 == 0 else None
        price = Decimal(25 + n % 900).quantize(Decimal("0.01"))
        created = now - timedelta(hours=n)
        rows.append(
            (
                item_id.hex,
                organization,
                categories[category],
                f"{kind} {n:04d}",
                f"{kind}, {manufacturer} {model}",
                manufacturer,
                model,
                serial,
                serial.lower() if serial else None,
                tag,
                tag.lower() if tag else None,
                barcode(n),
                barcode(n).lower(),
                sizes[n % len(sizes)] if sizes else None,
                COLORS[n % len(COLORS)],
                f"Station {n % 4 + 1}",
                price,
                price,
                CONDITIONS[n % len(CONDITIONS)],
                tracking,
                POOL_STOCK if tracking == "pool" else 1,
                admin,
                created,
                created,
            )
        )
        if tracking == "individual":
            individual.append(str(item_id))
    return rows, individual


def _seed_items(department: Department, categories: dict[str, str]) -> Seeded:
    organization = uuid.UUID(department.organization_id).hex
    (admin,) = department.query(
        "SELECT id FROM users WHERE username = %s", department.admin_username
    )
    rows, individual = _item_rows(organization, categories, str(admin["id"]))
    with department.connect() as db, db.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(INSERT, rows[start : start + BATCH])
    looked_up = str(uuid.UUID(str(rows[LOOKED_UP][0])))
    spare = [item for item in individual if item != looked_up]
    return Seeded(lent=spare[:CLIENTS], code=barcode(LOOKED_UP), renamed=spare[CLIENTS])


class Desk:
    """One client lending its item to its borrower and taking it back, pair after pair.

    A check-in that failed is retried first in the next call: one failure costs one error,
    not a 409 for every later checkout of the item still out.
    """

    def __init__(
        self,
        connection: Reader,
        address: tuple[str, int],
        cookies: dict[str, str],
        lending: tuple[str, str],
        failures: Counter[str],
    ) -> None:
        item, user = lending
        self._connection = connection
        self._address = address
        self._cookies = cookies
        self._headers = {"X-CSRF-Token": cookies["csrf_token"], "Content-Type": "application/json"}
        self._checkout = self._post(
            "/api/v1/inventory/checkout", json.dumps({"item_id": item, "user_id": user}).encode()
        )
        self._failures = failures
        self._open: str | None = None  # the checkout still to check in

    def _post(self, path: str, body: bytes) -> bytes:
        return http_request(
            "POST", self._address, path, self._cookies, headers=self._headers, body=body
        )

    async def pair(self) -> bool:
        """Check the item out and in again; True when both succeeded."""
        if self._open is None:
            status, body = await self._connection.send(self._checkout)
            if status != CREATED:
                self._failures[f"checkout {status}"] += 1
                return False
            self._open = json.loads(body)["id"]
        checkin = self._post(
            f"/api/v1/inventory/checkout/{self._open}/checkin", b'{"return_condition": "good"}'
        )
        status, _ = await self._connection.send(checkin)
        if status != HTTP_OK:
            self._failures[f"check-in {status}"] += 1
            return False
        self._open = None
        return True


async def _reads(department: Department, admin: dict[str, str], seeded: Seeded) -> list[Run]:
    address = gateway_address(department.gateway)
    session = {"access_token": admin["access_token"]}
    runs = []
    for label, path in (
        (
            f"GET /inventory/items?limit={PAGE} ({ITEMS:,} items, the first page)",
            f"/api/v1/inventory/items?limit={PAGE}",
        ),
        (
            f"GET /inventory/items?skip={ITEMS - PAGE}&limit={PAGE} (the last page)",
            f"/api/v1/inventory/items?skip={ITEMS - PAGE}&limit={PAGE}",
        ),
        (
            "GET /inventory/lookup?code=<barcode> (a scan)",
            f"/api/v1/inventory/lookup?code={seeded.code}",
        ),
    ):
        readers = [(await reader(*address, path, session)).get for _ in range(CLIENTS)]
        await hammer(readers, WARM_UP_SECONDS, "warm-up")
        runs.append(await hammer(readers, SECONDS, label))
    return runs


async def _desks(
    department: Department,
    admin: dict[str, str],
    lendings: list[tuple[str, str]],
    failures: Counter[str],
) -> Run:
    address = gateway_address(department.gateway)
    loop = asyncio.get_running_loop()
    pairs: list[Call] = []
    for lending in lendings:
        _, connection = await loop.create_connection(lambda: Reader(b""), *address)
        pairs.append(Desk(connection, address, admin, lending, failures).pair)
    await hammer(pairs, WARM_UP_SECONDS, "warm-up")
    failures.clear()
    return await hammer(pairs, SECONDS, "POST /inventory/checkout + POST /checkout/{id}/checkin")


@dataclass
class FanOut:
    """Seconds from sending each change to its frame on each socket."""

    latencies: list[float] = field(default_factory=list)
    answers: list[float] = field(default_factory=list)  # the change's own HTTP answer
    missed: int = 0

    def line(self) -> str:
        """One table row (the rate column: how many frames were timed)."""
        p50 = statistics.median(self.latencies) * 1000
        return (
            f"| a change (PATCH /inventory/items/{{id}}) to its inventory_changed frame on "
            f"each of {SOCKETS} sockets ({CHANGES} changes) | {SOCKETS} sockets "
            f"| {len(self.latencies)} frames | {p50:.1f} ms | {self.p99:.1f} ms | {self.missed} |"
        )

    @property
    def p99(self) -> float:
        return statistics.quantiles(self.latencies, n=100)[98] * 1000

    @property
    def answer_p50(self) -> float:
        return statistics.median(self.answers) * 1000


class Frames:
    """When each renamed item's frame reached each socket."""

    def __init__(self) -> None:
        self.arrivals: dict[str, list[float]] = {}
        self.complete: dict[str, asyncio.Event] = {}

    def expect(self, name: str) -> asyncio.Event:
        self.complete[name] = asyncio.Event()
        return self.complete[name]

    async def listen(self, ws: ClientConnection) -> None:
        async for message in ws:
            arrived = time.perf_counter()  # before parsing: the client's own work is not the api's
            frame = json.loads(message)
            if frame.get("action") != "item_updated":
                continue
            name = frame["data"]["item_name"]
            got = self.arrivals.setdefault(name, [])
            got.append(arrived)
            if len(got) == SOCKETS and name in self.complete:
                self.complete[name].set()


async def _fan_out(
    department: Department, admin: dict[str, str], members: list[str], item: str
) -> FanOut:
    gate = asyncio.Semaphore(SIGNING_IN)

    async def signed_in(username: str) -> dict[str, str]:
        async with gate:
            return await sign_in(department.gateway, username)

    browsers = await asyncio.gather(*(signed_in(username) for username in members))
    url = department.gateway.replace("http://", "ws://") + "/api/v1/inventory/ws"
    frames = Frames()
    result = FanOut()
    csrf = {"X-CSRF-Token": admin["csrf_token"]}
    async with contextlib.AsyncExitStack() as stack:
        listeners = []
        for cookies in browsers:
            cookie = f"access_token={cookies['access_token']}"
            ws = await stack.enter_async_context(
                connect(
                    url,
                    origin=Origin(department.gateway),
                    additional_headers={"Cookie": cookie},
                    open_timeout=10,
                )
            )
            listeners.append(asyncio.create_task(frames.listen(ws)))
        jar = aiohttp.CookieJar(unsafe=True)
        jar.update_cookies(admin)
        client = await stack.enter_async_context(
            aiohttp.ClientSession(department.gateway, cookie_jar=jar, headers=csrf)
        )
        for n in range(WARM_UP_CHANGES + CHANGES):
            name = f"{RENAMED} {n}"
            complete = frames.expect(name)
            started = time.perf_counter()
            async with client.patch(f"/api/v1/inventory/items/{item}", json={"name": name}) as r:
                await r.read()
                if r.status != HTTP_OK:
                    raise RuntimeError(f"renaming the item answered {r.status}")
            answered = time.perf_counter()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(complete.wait(), FRAME_SECONDS)
            if n < WARM_UP_CHANGES:
                continue
            arrived = frames.arrivals.get(name, [])
            result.latencies += [at - started for at in arrived]
            result.answers.append(answered - started)
            result.missed += SOCKETS - len(arrived)
        for listener in listeners:
            listener.cancel()
    return result


async def _measure(department: Department, failures: Counter[str]) -> tuple[list[Run], FanOut]:
    admin = await sign_in(department.gateway, department.admin_username)
    jar = aiohttp.CookieJar(unsafe=True)
    jar.update_cookies(admin)
    headers = {"X-CSRF-Token": admin["csrf_token"]}
    categories = {}
    async with aiohttp.ClientSession(department.gateway, cookie_jar=jar, headers=headers) as client:
        for name, item_type, _, _ in CATEGORIES:
            body = {"name": name, "item_type": item_type}
            async with client.post("/api/v1/inventory/categories", json=body) as response:
                if response.status != CREATED:
                    raise RuntimeError(f"creating a category failed: {await response.text()}")
                categories[name] = uuid.UUID((await response.json())["id"]).hex
        seeded = await asyncio.to_thread(_seed_items, department, categories)
        await expect(
            client,
            f"/api/v1/inventory/items?limit={PAGE}",
            lambda answer: (
                None if answer["total"] == ITEMS and len(answer["items"]) == PAGE else "a page"
            ),
        )
        await expect(
            client,
            f"/api/v1/inventory/lookup?code={seeded.code}",
            lambda answer: (
                None
                if answer["total"] == 1 and answer["results"][0]["item"]["barcode"] == seeded.code
                else "not the one item"
            ),
        )
    borrowers = [department.add_member("member")[0] for _ in range(CLIENTS)]
    watchers = [department.add_member("member")[1] for _ in range(SOCKETS)]
    runs = await _reads(department, admin, seeded)
    # Before the desks: the consumers of their hundreds of events would still be busy after.
    fan_out = await _fan_out(department, admin, watchers, seeded.renamed)
    lendings = list(zip(seeded.lent, borrowers, strict=True))
    runs.append(await _desks(department, admin, lendings, failures))
    return runs, fan_out


def main() -> int:
    """Start a department on MariaDB, measure, print, append to docs/BENCHMARKS.md."""
    failures: Counter[str] = Counter()  # the desk's failed requests, by step and status
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
                    runs, fan_out = runner.run(_measure(department, failures))
            finally:
                sampler.stop()
    load_after = os.getloadavg()[0]
    listing, _, lookup, pairs = runs
    lines = [
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()} (inventory: MariaDB, "
        f"embedded NATS, memory stores; load average {load_before:.1f} before and "
        f"{load_after:.1f} after, {os.cpu_count()} cores)",
        "",
        "| what | clients | rate | p50 | p99 | errors |",
        "|---|---|---|---|---|---|",
        *(run.line() for run in runs),
        fan_out.line(),
        "",
        f"- Item list of {ITEMS:,} items, pages of {PAGE}, at {CLIENTS} clients: "
        f"{listing.rate:.0f}/s, p99 {listing.p99:.1f} ms (target: p99 under 100 ms).",
        f"- Scan lookup by barcode at {CLIENTS} clients: {lookup.rate:.0f}/s, p99 "
        f"{lookup.p99:.1f} ms (target: at least 1,000/s).",
        f"- Checkout and check-in pairs at {CLIENTS} clients, an item and a borrower each: "
        f"{pairs.rate:.0f} pairs/s ({2 * pairs.rate:.0f} requests/s), p99 {pairs.p99:.1f} ms "
        "for the pair; failed: "
        + (", ".join(f"{what} x{n}" for what, n in sorted(failures.items())) or "none")
        + ".",
        f"- WebSocket fan-out at {SOCKETS} sockets: p99 {fan_out.p99:.1f} ms from sending a "
        f"change to its frame, {fan_out.missed} frames missed (target: p99 under 100 ms); "
        f"the change's own answer took {fan_out.answer_p50:.1f} ms at p50.",
        f"- Peak resident memory per process: {sampler.summary()} (target: under 150 MB each).",
        "",
    ]
    append_report("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
