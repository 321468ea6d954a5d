"""Events through the gateway: the dashboard's upcoming-events call and the events list of a
year (issue 13).

The department's calendar is written straight into the machine's MariaDB: 500 events last year
and the same cadence on through this year to two months ahead, in three of its locations and
elsewhere, each answered by 20 to 40 of its 60 members (going, maybe, not going; an event with a
cap waitlists the going past it), the administrator among them on every third event. 8 clients,
signed in as the administrator, read the dashboard's "Next 7 Days" call (`end_after=now`,
5 events, past a year and eleven months of history) and last year's whole list (500 events in
one page, with their counts and the caller's own status). Figures are printed and appended to
docs/BENCHMARKS.md (BENCH_RECORD=0 prints them only).
"""

import asyncio
import json
import os
import random
import sys
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import uvloop

from bench.clients import expect, gateway_address, reader, sign_in
from bench.measure import RssSampler, Run, append_report, commit, hammer
from launcher.ports import SERVICES
from tests.e2e.department import Department, running_department

YEAR_EVENTS = 500
UPCOMING_DAYS = 60  # events are scheduled this far ahead
MEMBERS = 60
RESPONSES = (20, 40)  # members answering each event, at least and at most
CALLER_EVERY = 3  # the administrator answers every third event
CAPPED_EVERY = 5  # every fifth event has a cap: its going past the cap are waitlisted
CAPACITY = 20
DASHBOARD = 5  # the dashboard's "Next 7 Days" card asks for 5 (spec events.md §4.1, D14)
CLIENTS = 8
SECONDS = 10.0
WARM_UP_SECONDS = 2.0
BATCH = 1_000
CREATED = 201
SEED = 13  # the same calendar every run
LOCATIONS = ("Station 1 apparatus bay", "Training ground", "Community hall")
# (event type, title, hours): what a department's calendar holds, in turn.
KINDS = (
    ("training", "Drill night", 3),
    ("business_meeting", "Monthly business meeting", 2),
    ("training", "EMS continuing education", 2),
    ("public_education", "Station open house", 4),
    ("social", "Crew dinner", 2),
    ("fundraiser", "Pancake breakfast", 4),
    ("other", "Apparatus check", 1),
)
ANSWERS = ("going", "maybe", "not_going")
ANSWER_WEIGHTS = (6, 2, 2)
ALLOWED = json.dumps(ANSWERS)  # JSON columns are written as the JSON text the model stores
REMINDERS = json.dumps([24])
EVENT_INSERT = (
    "INSERT INTO events (id, organization_id, title, description, event_type, location_id,"
    " location, start_datetime, end_datetime, requires_rsvp, rsvp_deadline, max_attendees,"
    " allowed_rsvp_statuses, is_mandatory, allow_guests, send_reminders, reminder_target,"
    " reminder_schedule, check_in_window_type, check_in_minutes_before, check_in_minutes_after,"
    " require_checkout, allow_guest_check_in, guest_check_in_creates_prospect, is_recurring,"
    " rolling_recurrence, is_draft, is_cancelled, created_by, updated_by, created_at,"
    " updated_at)"
    " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,1,%s,%s,%s,%s,0,1,'going',%s,'flexible',60,15,0,0,0,0,"
    "0,0,0,%s,%s,%s,%s)"
)
RSVP_INSERT = (
    "INSERT INTO event_rsvps (id, organization_id, event_id, user_id, status, guest_count,"
    " responded_at, checked_in, checked_in_at, created_at, updated_at)"
    " VALUES (%s,%s,%s,%s,%s,0,%s,%s,%s,%s,%s)"
)


@dataclass(frozen=True)
class Listed:
    """What the list must show of one event: its counts and the caller's own status."""

    id: str
    start: datetime
    end: datetime
    rsvp_count: int
    going_count: int
    user_rsvp_status: str | None

    def matches(self, item: dict[str, object]) -> bool:
        return (
            item["id"] == self.id
            and item["rsvp_count"] == self.rsvp_count
            and item["going_count"] == self.going_count
            and item["user_rsvp_status"] == self.user_rsvp_status
        )


@dataclass
class Calendar:
    """The seeded events by start, and last year."""

    year: int
    events: list[Listed]

    def of_year(self) -> list[Listed]:
        return [event for event in self.events if event.start.year == self.year]

    def upcoming(self, now: datetime) -> list[Listed]:
        return [event for event in self.events if event.end >= now][:DASHBOARD]


@dataclass
class Seeding:
    """Who and where: the organization's hex id, its administrator, members and locations."""

    organization: str
    admin: str
    members: list[str]
    locations: list[str]


def _naive(moment: datetime) -> datetime:
    """UTC as the DATETIME columns hold it."""
    return moment.replace(tzinfo=None)


def _answers(rng: random.Random, n: int, seeding: Seeding) -> list[tuple[str, str]]:
    """(member hex id, status) of the event's answers in response order."""
    count = rng.randint(*RESPONSES)
    caller = n % CALLER_EVERY == 0
    respondents = rng.sample(seeding.members, count - caller)
    if caller:
        respondents.insert(rng.randrange(len(respondents) + 1), seeding.admin)
    statuses = rng.choices(ANSWERS, ANSWER_WEIGHTS, k=count)
    if n % CAPPED_EVERY == 0:
        going = 0
        for index, status in enumerate(statuses):
            if status == "going":
                going += 1
                if going > CAPACITY:
                    statuses[index] = "waitlisted"
    return list(zip(respondents, statuses, strict=True))


def _rows(
    seeding: Seeding, now: datetime
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], Calendar]:
    """The events' and RSVPs' rows, and what the list must answer about each event."""
    rng = random.Random(SEED)  # noqa: S311 - a benchmark's calendar, not a secret
    year = now.year - 1
    first = datetime(year, 1, 1, tzinfo=UTC)
    spacing = (datetime(year + 1, 1, 1, tzinfo=UTC) - first) / YEAR_EVENTS
    horizon = now + timedelta(days=UPCOMING_DAYS)
    events: list[tuple[object, ...]] = []
    rsvps: list[tuple[object, ...]] = []
    calendar = Calendar(year, [])
    n = 0
    while (start := (first + spacing * (n + 0.5)).replace(second=0, microsecond=0)) < horizon:
        event_type, title, hours = KINDS[n % len(KINDS)]
        end = start + timedelta(hours=hours)
        event_id = uuid.uuid4()
        created = _naive(start - timedelta(days=30))
        place = n % (len(LOCATIONS) + 1)  # one in four is elsewhere, named only
        events.append(
            (
                event_id.hex,
                seeding.organization,
                f"{title} #{n + 1}",
                f"{title}: all members welcome.",
                event_type,
                seeding.locations[place] if place < len(LOCATIONS) else None,
                None if place < len(LOCATIONS) else "Mutual aid station, Route 9",
                _naive(start),
                _naive(end),
                _naive(start - timedelta(days=1)),
                CAPACITY if n % CAPPED_EVERY == 0 else None,
                ALLOWED,
                event_type == "training",
                REMINDERS,
                seeding.admin,
                seeding.admin,
                created,
                created,
            )
        )
        answers = _answers(rng, n, seeding)
        for position, (member, status) in enumerate(answers):
            responded = _naive(start - timedelta(days=7, minutes=-position))
            attended = status == "going" and end < now
            rsvps.append(
                (
                    uuid.uuid4().hex,
                    seeding.organization,
                    event_id.hex,
                    member,
                    status,
                    responded,
                    attended,
                    _naive(start) if attended else None,
                    responded,
                    responded,
                )
            )
        mine = next((status for member, status in answers if member == seeding.admin), None)
        going = sum(status == "going" for _, status in answers)
        calendar.events.append(Listed(str(event_id), start, end, len(answers), going, mine))
        n += 1
    return events, rsvps, calendar


def _seed(department: Department, seeding: Seeding) -> tuple[Calendar, int]:
    """Write the calendar in batches; returns it with the number of RSVPs written."""
    events, rsvps, calendar = _rows(seeding, datetime.now(UTC))
    with department.connect() as db, db.cursor() as cursor:
        for rows, insert in ((events, EVENT_INSERT), (rsvps, RSVP_INSERT)):
            for start in range(0, len(rows), BATCH):
                cursor.executemany(insert, rows[start : start + BATCH])
    return calendar, len(rsvps)


def _listing(answer: Any, expected: list[Listed]) -> str | None:
    """What is wrong with a list answer, or None."""
    if len(answer) == len(expected) and all(
        event.matches(item) for event, item in zip(expected, answer, strict=True)
    ):
        return None
    return f"{len(answer)} events, not the {len(expected)} seeded"


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _paths(calendar: Calendar) -> tuple[str, str]:
    """The dashboard's call as of now, and last year's list."""
    dashboard = urlencode({"end_after": _iso(datetime.now(UTC)), "limit": DASHBOARD})
    year = urlencode(
        {
            "start_after": f"{calendar.year}-01-01T00:00:00Z",
            "start_before": f"{calendar.year}-12-31T23:59:59Z",
            "limit": YEAR_EVENTS,
        }
    )
    return f"/api/v1/events?{dashboard}", f"/api/v1/events?{year}"


async def _locations(client: aiohttp.ClientSession) -> list[str]:
    """The department's locations, created through the API; their hex ids."""
    found = []
    for name in LOCATIONS:
        async with client.post("/api/v1/locations", json={"name": name}) as response:
            if response.status != CREATED:
                raise RuntimeError(f"creating a location failed: {await response.text()}")
            found.append(uuid.UUID((await response.json())["id"]).hex)
    return found


async def _measure(department: Department) -> tuple[list[Run], Calendar, int]:
    admin = await sign_in(department.gateway, department.admin_username)
    jar = aiohttp.CookieJar(unsafe=True)
    jar.update_cookies(admin)
    headers = {"X-CSRF-Token": admin["csrf_token"]}
    (chief,) = department.query(
        "SELECT id FROM users WHERE username = %s", department.admin_username
    )
    members = [uuid.UUID(department.add_member("member")[0]).hex for _ in range(MEMBERS)]
    async with aiohttp.ClientSession(department.gateway, cookie_jar=jar, headers=headers) as client:
        seeding = Seeding(
            organization=uuid.UUID(department.organization_id).hex,
            admin=uuid.UUID(str(chief["id"])).hex,
            members=members,
            locations=await _locations(client),
        )
        calendar, rsvps = await asyncio.to_thread(_seed, department, seeding)
        dashboard, year = _paths(calendar)
        upcoming = calendar.upcoming(datetime.now(UTC))
        await expect(client, dashboard, lambda answer: _listing(answer, upcoming))
        await expect(client, year, lambda answer: _listing(answer, calendar.of_year()))
    address = gateway_address(department.gateway)
    session = {"access_token": admin["access_token"]}
    runs = []
    for label, path in (
        (f"GET /events?end_after=<now>&limit={DASHBOARD} (the dashboard)", dashboard),
        (
            f"GET /events?start_after=<Jan 1>&start_before=<Dec 31>&limit={YEAR_EVENTS} "
            f"(a year: {YEAR_EVENTS} events)",
            year,
        ),
    ):
        readers = [(await reader(*address, path, session)).get for _ in range(CLIENTS)]
        await hammer(readers, WARM_UP_SECONDS, "warm-up")
        runs.append(await hammer(readers, SECONDS, label))
    return runs, calendar, rsvps


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
                    runs, calendar, rsvps = runner.run(_measure(department))
            finally:
                sampler.stop()
    load_after = os.getloadavg()[0]
    dashboard, year = runs
    lines = [
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()} (events: MariaDB, "
        f"embedded NATS, memory stores; load average {load_before:.1f} before and "
        f"{load_after:.1f} after, {os.cpu_count()} cores)",
        "",
        "| what | clients | rate | p50 | p99 | errors |",
        "|---|---|---|---|---|---|",
        *(run.line() for run in runs),
        "",
        f"- The calendar: {len(calendar.events):,} events ({YEAR_EVENTS} in {calendar.year}, "
        f"then on to {UPCOMING_DAYS} days ahead) with {rsvps:,} RSVPs of {MEMBERS} members.",
        f"- Dashboard call (the next {DASHBOARD} events) at {CLIENTS} clients: "
        f"{dashboard.rate:.0f}/s, p99 {dashboard.p99:.1f} ms (target: at least 1,000/s, p99 "
        "under 20 ms).",
        f"- The events of a year ({YEAR_EVENTS}, with their RSVP counts and the caller's "
        f"status) at {CLIENTS} clients: {year.rate:.0f}/s, p99 {year.p99:.1f} ms (target: p99 "
        "under 100 ms).",
        f"- Peak resident memory per process: {sampler.summary()} (target: under 150 MB each).",
        "",
    ]
    append_report("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
