"""Training through the gateway: the compliance matrix of 500 members x 20 requirements with
20,000 training records, and a member's My Training (issue 14 item 8).

The department's library (3 categories, 11 courses) and its 20 requirements are made through
the API: hours over a calendar year, a quarter, a month, a rolling 24 months and a July-June
cycle, linked courses, certifications (one-time and biannual), shifts, calls, a skills
evaluation, a checklist and a knowledge test, for everyone or for some roles or membership
types. Its 500 members (membership tiers and operational roles in turn) and their 40 records
each, spread over four years (certificates valid, expired, or expired and renewed; a few records
planned, failed or voided), are written straight into the machine's MariaDB. Before anything is
timed the matrix must show every member the requirements that apply to them, the certificates'
verdicts (a renewal green) and the annual hours as the seeding implies. The SQL statements of
one matrix are counted in-process at 50 and at 500 members: the same number both times. Then the
training officer reads the matrix alone and 8 clients read it at once, and 8 read My Training as
a member with 40 records. Figures are printed and appended to docs/BENCHMARKS.md (BENCH_RECORD=0
prints them only).
"""

import asyncio
import os
import random
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import uvloop
from sqlalchemy import event

from api.training.matrix_runs import MatrixRuns
from bench.clients import expect, gateway_address, reader, sign_in
from bench.measure import RssSampler, Run, append_report, commit, hammer
from launcher.ports import SERVICES
from shared.db.session import create_engine, create_sessionmaker
from shared.scheduled.daily import department_zone
from tests.e2e.department import Department, password_hash, running_department

MEMBERS = 500
FIRST_MEMBERS = 50  # the matrix's statements are counted at this many members and at MEMBERS
RECORDS_EACH = 40
YEARS_BACK = 4  # records are spread over this many years
CLIENTS = 8
MATRIX_SECONDS = 20.0  # the matrix takes a good part of a second: more time, more samples
SECONDS = 10.0
WARM_UP_SECONDS = 3.0
BATCH = 1_000
CREATED = 201
SEED = 14  # the same department every run
SIGNED_IN = 7  # the member whose My Training is read (index among the seeded members)
BASE = "/api/v1/training"
MATRIX = f"{BASE}/compliance-matrix"
MY_TRAINING = f"{BASE}/module-config/my-training"

# Membership tiers in turn (None reads as "active", spec training.md §5.1).
TIERS = (
    *("active",) * 12,
    *("probationary",) * 3,
    "life",
    "life",
    "administrative",
    None,
    "associate",
)
# Operational roles in turn, on top of everyone's "member"; None: support members.
ROLES = (
    "firefighter",
    "firefighter",
    "firefighter",
    "firefighter",
    "engineer",
    "engineer",
    "lieutenant",
    "captain",
    None,
    None,
)
OPERATIONAL = ("firefighter", "engineer", "lieutenant", "captain")
FIRST_NAMES = ("Alex", "Sam", "Jordan", "Casey", "Morgan", "Riley", "Taylor", "Jamie")
CATEGORIES = ("Fire", "EMS", "Hazmat")


@dataclass(frozen=True)
class Course:
    """A course of the library; `months`: how long its certificate is valid (None: for ever)."""

    key: str
    name: str
    training_type: str
    category: str | None = None
    months: int | None = None
    certifies: bool = False


COURSES = (
    Course("ff1", "Firefighter I", "certification", "Fire", None, certifies=True),
    Course("emt", "EMT-Basic", "certification", "EMS", 24, certifies=True),
    Course("cpr", "CPR/BLS provider", "certification", "EMS", 24, certifies=True),
    Course("haz", "Hazmat Operations", "certification", "Hazmat", 36, certifies=True),
    Course("ori", "Orientation", "orientation"),
    Course("ics", "ICS-300", "specialty"),
    Course("drv", "Driver/operator", "skills_practice", "Fire"),
    Course("live", "Live fire drill", "skills_practice", "Fire"),
    Course("ce", "EMS continuing education", "continuing_education", "EMS"),
    Course("hzr", "Hazmat refresher", "refresher", "Hazmat"),
    Course("ref", "Annual refresher", "refresher"),
)
CERTIFYING = tuple(course for course in COURSES if course.certifies)
PRACTICE = tuple(course for course in COURSES if not course.certifies)
HOURS = (1.0, 1.5, 2.0, 3.0, 4.0)
# Statuses of the practice records and their weights; only `completed` counts (§8.1).
STATUSES = ("completed", "in_progress", "scheduled", "failed", "cancelled")
STATUS_WEIGHTS = (85, 5, 4, 3, 3)
UNDATED = frozenset({"in_progress", "scheduled"})


@dataclass(frozen=True)
class Rule:
    """A requirement: its API body (roles and courses by key) and whom it applies to."""

    body: dict[str, Any]
    roles: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    courses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return str(self.body["name"])

    def applies(self, member: "Seeded") -> bool:
        """§5.1 as the seeding means it: the tier listed (or none listed), a role held."""
        if self.tiers and (member.tier or "active") not in self.tiers:
            return False
        return not self.roles or member.role in self.roles


def _hours(name: str, frequency: str, hours: float, **more: Any) -> dict[str, Any]:
    return {
        "name": name,
        "requirement_type": "hours",
        "frequency": frequency,
        "required_hours": hours,
        **more,
    }


RULES = (
    Rule(_hours("Annual training hours", "annual", 24)),
    Rule(_hours("Quarterly drill hours", "quarterly", 6, training_type="skills_practice")),
    Rule(
        _hours("Monthly EMS CE", "monthly", 2, training_type="continuing_education"),
        tiers=("active", "probationary"),
    ),
    Rule(
        _hours(
            "EMS recertification hours (24 months)",
            "annual",
            48,
            training_type="continuing_education",
            due_date_type="rolling",
            rolling_period_months=24,
        )
    ),
    Rule(
        _hours(
            "Fiscal-year hours (July to June)",
            "annual",
            36,
            period_start_month=7,
            period_end_month=6,
            period_end_day=30,
        )
    ),
    Rule(
        {"name": "FF1 certificate", "requirement_type": "certification", "frequency": "one_time"},
        roles=OPERATIONAL,
        courses=("ff1",),
    ),
    Rule(
        {"name": "EMT current", "requirement_type": "certification", "frequency": "biannual"},
        tiers=("active", "probationary", "life"),
        courses=("emt",),
    ),
    Rule(
        {"name": "CPR card", "requirement_type": "certification", "frequency": "biannual"},
        courses=("cpr",),
    ),
    Rule(
        {
            "name": "Hazmat operations card",
            "requirement_type": "certification",
            "frequency": "one_time",
        },
        roles=("firefighter", "engineer"),
        courses=("haz",),
    ),
    Rule(
        {"name": "New member courses", "requirement_type": "courses", "frequency": "one_time"},
        tiers=("probationary",),
        courses=("ori", "ics"),
    ),
    Rule(
        {
            "name": "Duty shifts",
            "requirement_type": "shifts",
            "frequency": "quarterly",
            "required_shifts": 12,
        }
    ),
    Rule(
        {
            "name": "Emergency calls",
            "requirement_type": "calls",
            "frequency": "annual",
            "required_calls": 10,
        }
    ),
    Rule(
        {
            "name": "Pump skills evaluation",
            "requirement_type": "skills_evaluation",
            "frequency": "annual",
            "training_type": "skills_practice",
        },
        roles=("engineer",),
    ),
    Rule(
        {
            "name": "Orientation",
            "requirement_type": "checklist",
            "frequency": "one_time",
            "checklist_items": ["Station tour", "Gear issued", "Radio procedures"],
        }
    ),
    Rule(
        {
            "name": "Annual knowledge test",
            "requirement_type": "knowledge_test",
            "frequency": "annual",
            "training_type": "refresher",
            "passing_score": 80,
        }
    ),
    Rule(_hours("Driver training hours", "annual", 12), roles=("engineer",), categories=("Fire",)),
    Rule(_hours("Biannual refresher hours", "biannual", 8, training_type="refresher")),
    Rule(
        _hours("Hazmat refresher (last 365 days)", "annual", 4, recency_days=365),
        roles=("firefighter",),
        categories=("Hazmat",),
    ),
    Rule(
        {"name": "Incident command", "requirement_type": "courses", "frequency": "one_time"},
        roles=("lieutenant", "captain"),
        courses=("ics",),
    ),
    Rule(_hours("Life member hours", "annual", 6), tiers=("life", "administrative")),
)
ANNUAL_HOURS = RULES[0]  # its cells are checked against the seeded hours of this year
USER_INSERT = (
    "INSERT INTO users (id, organization_id, username, username_lower, email, email_lower,"
    " first_name, last_name, status, password_hash, password_changed_at, must_change_password,"
    " email_verified, mfa_enabled, failed_login_attempts, compliance_exempt, membership_type,"
    " created_at, updated_at)"
    " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,'active',%s,UTC_TIMESTAMP(6),0,1,0,0,0,%s,"
    "UTC_TIMESTAMP(6),UTC_TIMESTAMP(6))"
)
ROLE_INSERT = (
    "INSERT INTO user_positions (user_id, position_id, assigned_at) VALUES (%s,%s,UTC_TIMESTAMP(6))"
)
RECORD_INSERT = (
    "INSERT INTO training_records (id, organization_id, user_id, course_id, category_id,"
    " course_name, training_type, scheduled_date, completion_date, expiration_date,"
    " hours_completed, credit_hours, certification_number, issuing_agency, status, created_by,"
    " created_at, updated_at)"
    " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
)


@dataclass
class Held:
    """One seeded record as the checks read it."""

    course: str
    status: str
    completed: date | None
    expires: date | None
    hours: float


@dataclass
class Seeded:
    """A seeded member: who they are and what they hold."""

    id: str
    username: str
    tier: str | None
    role: str | None
    records: list[Held] = field(default_factory=list)


@dataclass
class Library:
    """The organization's ids: categories and courses by key, roles by slug, its chief."""

    organization: str
    chief: str
    categories: dict[str, str]
    courses: dict[str, str]
    roles: dict[str, str]


def _naive(moment: datetime) -> datetime:
    """UTC as the DATETIME columns hold it."""
    return moment.replace(tzinfo=None)


def _hex(value: str) -> str:
    return uuid.UUID(value).hex


def _certificates(rng: random.Random, n: int, today: date) -> Iterator[tuple[Course, date]]:
    """(course, completion) of the member's certificates: in turn valid, expired, expired and
    renewed, or none; kept away from today so the verdicts do not turn during a run."""
    for k, course in enumerate(CERTIFYING):
        pattern = (n + k) % 4
        months = course.months or 24
        if pattern in {1, 2}:  # expired (and renewed after, for 2)
            yield course, today - timedelta(days=months * 31 + rng.randint(60, 400))
        if pattern in {0, 2}:
            yield course, today - timedelta(days=rng.randint(40, months * 28 - 60))


def _expiry(course: Course, completed: date) -> date | None:
    return completed + timedelta(days=course.months * 30) if course.months else None


def _member_records(rng: random.Random, n: int, today: date) -> list[Held]:
    held = [
        Held(course.key, "completed", completed, _expiry(course, completed), 8.0)
        for course, completed in _certificates(rng, n, today)
    ]
    while len(held) < RECORDS_EACH:
        course = rng.choice(PRACTICE)
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        completed = today - timedelta(days=rng.randint(1, 365 * YEARS_BACK))
        held.append(
            Held(
                course.key,
                status,
                None if status in UNDATED else completed,
                None,
                rng.choice(HOURS),
            )
        )
    return held


def _members(start: int, count: int, today: date) -> list[Seeded]:
    """Members `start` to `start + count - 1`, each with their records (the same every run)."""
    members = []
    for n in range(start, start + count):
        rng = random.Random(SEED * 100_000 + n)  # noqa: S311 - a benchmark's data, not a secret
        members.append(
            Seeded(
                id=str(uuid.uuid4()),
                username=f"trainee{n:04d}",
                tier=TIERS[n % len(TIERS)],
                role=ROLES[n % len(ROLES)],
                records=_member_records(rng, n, today),
            )
        )
    return members


def _rows(
    members: list[Seeded], library: Library, now: datetime
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The users', their roles' and their records' rows."""
    courses = {course.key: course for course in COURSES}
    org, secret = library.organization, password_hash()
    users: list[tuple[object, ...]] = []
    roles: list[tuple[object, ...]] = []
    records: list[tuple[object, ...]] = []
    for n, member in enumerate(members):
        user = _hex(member.id)
        email = f"{member.username}@station9.example.org"
        users.append(
            (
                user,
                org,
                member.username,
                member.username,
                email,
                email,
                FIRST_NAMES[n % len(FIRST_NAMES)],
                f"Member {member.username[-4:]}",
                secret,
                member.tier,
            )
        )
        for slug in ("member", member.role):
            if slug:
                roles.append((user, library.roles[slug]))
        for index, held in enumerate(member.records):
            course = courses[held.course]
            created = _naive(now - timedelta(minutes=index))
            records.append(
                (
                    uuid.uuid4().hex,
                    org,
                    user,
                    library.courses[course.key],
                    library.categories[course.category] if course.category else None,
                    course.name,
                    course.training_type,
                    held.completed or (now + timedelta(days=30)).date(),
                    held.completed,
                    held.expires,
                    held.hours,
                    held.hours,
                    f"{course.key.upper()}-{index:02d}{user[:6]}" if course.certifies else None,
                    "State fire academy" if course.certifies else None,
                    held.status,
                    library.chief,
                    created,
                    created,
                )
            )
    return users, roles, records


def _seed(department: Department, library: Library, members: list[Seeded]) -> None:
    users, roles, records = _rows(members, library, datetime.now(UTC))
    with department.connect() as db, db.cursor() as cursor:
        for rows, insert in ((users, USER_INSERT), (roles, ROLE_INSERT), (records, RECORD_INSERT)):
            for start in range(0, len(rows), BATCH):
                cursor.executemany(insert, rows[start : start + BATCH])


async def _created(client: aiohttp.ClientSession, path: str, body: dict[str, Any]) -> str:
    async with client.post(path, json=body) as response:
        if response.status != CREATED:
            raise RuntimeError(f"POST {path} answered {response.status}: {await response.text()}")
        return str((await response.json())["id"])


async def _library(client: aiohttp.ClientSession, department: Department) -> Library:
    """Categories, courses and requirements through the API; roles and the chief read back."""
    (chief,) = department.query(
        "SELECT id FROM users WHERE username = %s", department.admin_username
    )
    slugs = ("member", *OPERATIONAL)
    found = department.query(
        "SELECT id, slug FROM positions WHERE organization_id = %s AND slug IN %s",
        _hex(department.organization_id),
        slugs,
    )
    categories = {
        name: await _created(client, f"{BASE}/categories", {"name": name}) for name in CATEGORIES
    }
    courses = {}
    for course in COURSES:
        body: dict[str, Any] = {"name": course.name, "training_type": course.training_type}
        if course.category:
            body["category_ids"] = [categories[course.category]]
        if course.months:
            body["expiration_months"] = course.months
        courses[course.key] = await _created(client, f"{BASE}/courses", body)
    roles = {row["slug"]: str(uuid.UUID(str(row["id"]))) for row in found}
    for rule in RULES:
        body = dict(rule.body)
        if rule.roles:
            body |= {"applies_to_all": False, "required_roles": [roles[r] for r in rule.roles]}
        if rule.tiers:
            body["required_membership_types"] = list(rule.tiers)
        if rule.courses:
            body["required_courses"] = [courses[key] for key in rule.courses]
        if rule.categories:
            body["category_ids"] = [categories[name] for name in rule.categories]
        await _created(client, f"{BASE}/requirements", body)
    return Library(
        organization=_hex(department.organization_id),
        chief=_hex(str(chief["id"])),
        categories={name: _hex(value) for name, value in categories.items()},
        courses={key: _hex(value) for key, value in courses.items()},
        roles={slug: _hex(value) for slug, value in roles.items()},
    )


def _certificate_status(member: Seeded, course: str, today: date) -> str:
    """The newest completed certificate decides: expired once its date has passed (§6)."""
    held = [r for r in member.records if r.course == course and r.status == "completed"]
    if not held:
        return "not_started"
    newest = max(held, key=lambda r: (r.completed or date.min, r.expires or date.min))
    return "expired" if newest.expires is not None and newest.expires < today else "completed"


def _annual_status(member: Seeded, today: date) -> str:
    hours = sum(
        r.hours
        for r in member.records
        if r.status == "completed" and r.completed and r.completed.year == today.year
    )
    target = float(ANNUAL_HOURS.body["required_hours"])
    return "completed" if hours >= target else "in_progress" if hours > 0 else "not_started"


def _expected_cells(member: Seeded, today: date) -> dict[str, str | None]:
    """The member's cells by requirement name: the status where the seeding decides it."""
    cells: dict[str, str | None] = {}
    for rule in RULES:
        if not rule.applies(member):
            continue
        if rule.body["requirement_type"] == "certification":
            cells[rule.name] = _certificate_status(member, rule.courses[0], today)
        elif rule is ANNUAL_HOURS:
            cells[rule.name] = _annual_status(member, today)
        else:
            cells[rule.name] = None  # present; its status is the engine's tests' business
    return cells


def _matrix_problem(answer: Any, members: list[Seeded], today: date) -> str | None:
    """What is wrong with the matrix's answer, or None when it shows the seeding."""
    if sorted(r["name"] for r in answer["requirements"]) != sorted(r.name for r in RULES):
        return "the requirements' columns"
    rows = {row["user_id"]: row for row in answer["members"]}
    if len(rows) != len(members) + 1:  # the chief is an active member too
        return f"{len(rows)} members"
    for member in members:
        cells = {c["requirement_name"]: c["status"] for c in rows[member.id]["requirements"]}
        expected = _expected_cells(member, today)
        if cells.keys() != expected.keys():
            return f"{member.username}'s requirements: {sorted(cells)} not {sorted(expected)}"
        for name, status in expected.items():
            if status is not None and cells[name] != status:
                return f"{member.username} on {name}: {cells[name]} not {status}"
    return None


def _my_training_problem(answer: Any, member: Seeded, today: date) -> str | None:
    counted = sum(r.status != "cancelled" for r in member.records)  # voided: never counted
    if answer["hours_summary"]["total_records"] != counted:
        return f"{answer['hours_summary']['total_records']} records, not {counted}"
    applicable = len(_expected_cells(member, today))
    if answer["requirements_summary"]["total_requirements"] != applicable:
        return f"{answer['requirements_summary']} for {applicable} requirements"
    return None


async def _statements(department: Department, library: Library) -> tuple[int, int]:
    """(SQL statements, members) of one matrix computed in-process by the api's own service."""
    engine = create_engine(department.database_url)
    count = 0

    def counted(*_: object) -> None:
        nonlocal count
        count += 1

    event.listen(engine.sync_engine, "before_cursor_execute", counted)
    organization = uuid.UUID(library.organization)
    try:
        # What the matrix endpoint reads: the organization's verdicts (api/training/matrix_runs).
        verdicts = await MatrixRuns().verdicts(organization, create_sessionmaker(engine))
        return count, len(verdicts.members)
    finally:
        await engine.dispose()


async def _measure(department: Department) -> tuple[list[Run], list[tuple[int, int]], int]:
    admin = await sign_in(department.gateway, department.admin_username)
    jar = aiohttp.CookieJar(unsafe=True)
    jar.update_cookies(admin)
    headers = {"X-CSRF-Token": admin["csrf_token"]}
    (organization,) = department.query(
        "SELECT timezone FROM organizations WHERE id = %s", _hex(department.organization_id)
    )
    # The department's own date, as the engine reckons it (spec training.md §8.10).
    today = datetime.now(department_zone(organization["timezone"])).date()
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(
        department.gateway, cookie_jar=jar, headers=headers, timeout=timeout
    ) as client:
        library = await _library(client, department)
        members = _members(0, FIRST_MEMBERS, today)
        await asyncio.to_thread(_seed, department, library, members)
        counts = [await _statements(department, library)]
        more = _members(FIRST_MEMBERS, MEMBERS - FIRST_MEMBERS, today)
        await asyncio.to_thread(_seed, department, library, more)
        members += more
        counts.append(await _statements(department, library))
        await expect(client, MATRIX, lambda answer: _matrix_problem(answer, members, today))
    member = members[SIGNED_IN]
    caller = await sign_in(department.gateway, member.username)
    jar = aiohttp.CookieJar(unsafe=True)
    jar.update_cookies(caller)
    async with aiohttp.ClientSession(department.gateway, cookie_jar=jar) as client:
        await expect(
            client, MY_TRAINING, lambda answer: _my_training_problem(answer, member, today)
        )
    address = gateway_address(department.gateway)
    runs = []
    matrix_label = (
        f"GET /training/compliance-matrix ({MEMBERS} members x {len(RULES)} requirements, "
        f"{MEMBERS * RECORDS_EACH:,} records)"
    )
    # The matrix alone first: one officer's page load, then eight officers' at once.
    for label, path, cookies, clients, seconds in (
        (matrix_label, MATRIX, admin, 1, SECONDS),
        (matrix_label, MATRIX, admin, CLIENTS, MATRIX_SECONDS),
        (
            f"GET /training/module-config/my-training (a member with {RECORDS_EACH} records)",
            MY_TRAINING,
            caller,
            CLIENTS,
            SECONDS,
        ),
    ):
        session = {"access_token": cookies["access_token"]}
        readers = [(await reader(*address, path, session)).get for _ in range(clients)]
        await hammer(readers, WARM_UP_SECONDS, "warm-up")
        runs.append(await hammer(readers, seconds, label))
    return runs, counts, sum(len(m.records) for m in members)


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
                    runs, counts, records = runner.run(_measure(department))
            finally:
                sampler.stop()
    load_after = os.getloadavg()[0]
    alone, matrix, mine = runs
    (small, small_members), (large, large_members) = counts
    lines = [
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()} (training: MariaDB, "
        f"embedded NATS, memory stores; load average {load_before:.1f} before and "
        f"{load_after:.1f} after, {os.cpu_count()} cores)",
        "",
        "| what | clients | rate | p50 | p99 | errors |",
        "|---|---|---|---|---|---|",
        *(run.line() for run in runs),
        "",
        f"- The department: {MEMBERS} members (and the chief) in {len(set(TIERS))} membership "
        f"tiers and {len(OPERATIONAL)} operational roles, {len(RULES)} requirements, "
        f"{records:,} training records over {YEARS_BACK} years.",
        f"- Compliance matrix at {CLIENTS} clients: {matrix.rate:.1f}/s, p99 "
        f"{matrix.p99:.0f} ms (target: p99 under 1 s); one officer alone: p99 "
        f"{alone.p99:.0f} ms.",
        f"- SQL statements of one matrix (in-process): {small} at {small_members} members, "
        f"{large} at {large_members} (target: the same number, not one per member).",
        f"- My Training at {CLIENTS} clients: {mine.rate:.0f}/s, p99 {mine.p99:.1f} ms "
        "(target: at least 300/s, p99 under 50 ms).",
        f"- Peak resident memory per process: {sampler.summary()} (target: under 150 MB each).",
        "",
    ]
    append_report("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
