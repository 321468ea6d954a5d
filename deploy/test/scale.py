"""`make test-deploy`, scale-out (issue 15 item 4): the Compose stack with three api and two auth
instances behind the gateway and a 3-node NATS JetStream cluster keeping three copies of the
stream (deploy/compose.scale.yaml), under a steady stream of writes through the gateway.

Several clients create members and locations as the administrator for STREAM_SECONDS. Meanwhile
a session is signed out through the gateway (one auth instance) while every api instance, called
directly inside the network, polls with its token, twice: with everything up, and again after
the stream's leading NATS server and one api instance were stopped mid-stream. Then, once the
events have drained:
- every write that got a 2xx has its row and exactly one audit entry (`lost`, `audited twice`);
- every event in the outbox was published and handled by each durable consumer whose subject
  it matches (`processed_events`), and no instance's log says it handled one twice;
- each sign-out was refused by every running api instance within REVOCATION_LIMIT_SECONDS;
- every api and auth instance served requests (their `http.request` log lines);
- the scheduled jobs ran once per key (`scheduled_runs`, and one `scheduled.finished` log line
  for each run across all instances).
The figures are printed; the containers, volumes and networks are removed at the end.
"""

import contextlib
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from run import (
    COMPOSE_FILES,
    DEPLOY,
    LONG_RUNNING,
    DeployTestError,
    Stack,
    browser,
    create_admin,
    engine_version,
    ensure_base_image,
    ensure_docker,
    expect,
    run,
    run_on,
    say,
    step,
    trust_host_authorities,
)

from shared.events.local import subject_matches

FILES = (
    *COMPOSE_FILES,
    DEPLOY / "compose.scale.yaml",
    DEPLOY / "test" / "compose.scale.override.yaml",
)
PROJECT = "logbook-scaletest"
SCALE = {"api": 3, "auth": 2}
# NATS server names (compose.scale.yaml) and their services.
NATS_SERVICES = {"nats-1": "nats", "nats-2": "nats-2", "nats-3": "nats-3"}
WRITERS = 4
WRITES_PER_SECOND = 4.0  # each writer's pace
STREAM_SECONDS = 40.0
# Moments of the stream (seconds from its start): a sign-out with everything up, the faults,
# a sign-out with them in place.
FIRST_SIGN_OUT_AT = 5.0
STOP_NATS_AT = 12.0
STOP_API_AT = 14.0
SECOND_SIGN_OUT_AT = 15.0  # the sign-out itself follows about 2 s later
REVOCATION_LIMIT_SECONDS = 1.0
DRAIN_SECONDS = 120.0
API_PORT = 8002
# The daily jobs (api/app.py) that run once per organization and local day, due from 07:30 at
# the latest: the test moves the department to a time zone where that has passed.
DAILY_JOBS = ("inventory.low_stock", "inventory.checkouts_due", "training.certification_alerts")

# Run inside an api container with the service's port: accept a token (200), then report when it
# is refused (401).
POLLER = """
import sys, time, urllib.error, urllib.request
token = sys.stdin.readline().strip()
request = urllib.request.Request(
    f"http://127.0.0.1:{sys.argv[1]}/api/v1/locations?limit=1",
    headers={"Authorization": "Bearer " + token},
)
def status():
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code
    except OSError:
        return 0
deadline = time.time() + 60
while (seen := status()) != 200:
    if time.time() > deadline:
        sys.exit(f"never accepted: {seen}")
    time.sleep(0.05)
print("accepted", flush=True)
while (seen := status()) != 401:
    if time.time() > deadline:
        sys.exit(f"never refused: {seen}")
    time.sleep(0.005)
print(time.time(), flush=True)
"""


@dataclass(frozen=True)
class Write:
    """One write a client sent: what, the name it chose, the status (0: no answer), the id."""

    kind: str
    name: str
    status: int
    created_id: str | None

    @property
    def succeeded(self) -> bool:
        """The gateway answered 2xx: the write must be kept."""
        return httpx.codes.is_success(self.status)


class ScaledStack(Stack):
    """The stack of compose.scale.yaml, whose services may run several containers each."""

    def instances(self, service: str) -> dict[str, str]:
        """A service's containers by short name (`api_2`), stopped ones included."""
        ids = self("ps", "-a", "-q", service).stdout.decode().split()
        names = run(["docker", "inspect", "-f", "{{.Name}}", *ids]).stdout.decode().split()
        prefix = f"/{self.project}_"
        pairs = zip(names, ids, strict=True)
        return dict(sorted((name.removeprefix(prefix), container) for name, container in pairs))

    def running(self, container: str) -> bool:
        state = run(["docker", "inspect", "-f", "{{.State.Running}}", container]).stdout
        return state.strip() == b"true"

    def log_lines(self, container: str) -> Iterator[dict[str, Any]]:
        """A container's JSON log lines (the services log one object per line)."""
        result = run(["docker", "logs", container])
        for line in (result.stdout + result.stderr).decode(errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if isinstance(entry, dict):
                    yield entry

    def sql(self, query: str) -> list[list[str]]:
        """Rows of a query on the platform's database, as text."""
        out = self.mariadb("mariadb", "-N", "-B", "-e", query, "logbook").decode()
        return [line.split("\t") for line in out.splitlines()]

    def jetstream(self) -> dict[str, Any]:
        """NATS's account of its streams and consumers, from a running server."""
        url = "http://127.0.0.1:8222/jsz?accounts=true&streams=true&consumers=true&config=true"
        for service in NATS_SERVICES.values():
            answer = self("exec", "-T", service, "wget", "-qO-", url, check=False)
            if answer.returncode == 0:
                report: dict[str, Any] = json.loads(answer.stdout)
                return report
        raise DeployTestError("no NATS server answers its monitoring port")


def streams(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The streams of a /jsz report by name."""
    return {
        stream["name"]: stream
        for account in report.get("account_details", [])
        for stream in account.get("stream_detail", [])
    }


def writer(gateway: str, cookies: dict[str, str], index: int, stop: threading.Event) -> list[Write]:
    """Create members and locations in turn, WRITES_PER_SECOND, until `stop`."""
    done: list[Write] = []
    headers = {"X-CSRF-Token": cookies["csrf_token"]}
    with httpx.Client(base_url=gateway, timeout=30, cookies=cookies, headers=headers) as client:
        while not stop.is_set():
            began = time.monotonic()
            number = len(done)
            name = f"scale.w{index}.n{number}"
            kind = "member" if number % 2 == 0 else "location"
            if kind == "member":
                body: dict[str, Any] = {
                    "username": name,
                    "email": f"{name}@station9.example.org",
                    "first_name": "Scale",
                    "last_name": f"Writer {index}",
                    "send_welcome_email": False,
                }
                path = "/api/v1/users"
            else:
                body, path = {"name": name}, "/api/v1/locations"
            try:
                answer = client.post(path, json=body)
                created = answer.json().get("id") if answer.is_success else None
                done.append(Write(kind, name, answer.status_code, created))
            except (httpx.HTTPError, ValueError):
                done.append(Write(kind, name, 0, None))
            # And a read of auth's, so that its instances serve the stream too.
            with contextlib.suppress(httpx.HTTPError):
                client.get("/api/v1/auth/me")
            time.sleep(max(0.0, 1 / WRITES_PER_SECOND - (time.monotonic() - began)))
    return done


def revocation_delays(stack: ScaledStack, label: str, began: float) -> dict[str, float]:
    """Sign a fresh session out through the gateway while every running api instance polls with
    its token; each instance's seconds from sending the sign-out to its first refusal."""
    running = {n: c for n, c in stack.instances("api").items() if stack.running(c)}
    with browser(stack) as session:
        access = session.cookies["access_token"]
        pollers = {name: Poller(container) for name, container in running.items()}
        try:
            for name, poller in pollers.items():
                said = poller.communicate_line(access)
                if said != "accepted":
                    raise DeployTestError(f"{name} never accepted the token: {poller.error()}")
            sent, moment = time.time(), time.monotonic() - began
            expect(session.post("/api/v1/auth/logout"), 200)
            delays = {}
            for name, poller in pollers.items():
                refused = poller.line()
                if not refused:
                    raise DeployTestError(f"{name} never refused the token: {poller.error()}")
                delays[name] = float(refused) - sent
        finally:
            for poller in pollers.values():
                poller.end()
    shown = ", ".join(f"{name} {delay * 1000:.0f} ms" for name, delay in delays.items())
    say(f"  {moment:4.1f} s: signed out {label}, refused by {shown}")
    return delays


class Poller:
    """POLLER in an api container (`docker exec`), talking line by line."""

    def __init__(self, container: str) -> None:
        self._process = subprocess.Popen(  # noqa: S603 - the test's own fixed command
            ["docker", "exec", "-i", container, "python", "-c", POLLER, str(API_PORT)],  # noqa: S607
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def communicate_line(self, line: str) -> str:
        """Give it one line (and the end of its input), then read its first answer."""
        if self._process.stdin is not None:
            self._process.stdin.write(line + "\n")
            self._process.stdin.close()
        return self.line()

    def line(self) -> str:
        """Its next line, empty once it has ended."""
        out = self._process.stdout
        return out.readline().strip() if out is not None else ""

    def error(self) -> str:
        """Why it ended (its standard error)."""
        self.end()
        return self._process.stderr.read() if self._process.stderr is not None else ""

    def end(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()


def timezone_past(local: str) -> tuple[str, int]:
    """An `Etc/GMT` zone where it is about noon now, so past `local` (HH:MM), and its offset."""
    offset = 12 - datetime.now(UTC).hour  # between -11 and +12, which all exist
    # Etc/GMT's signs are POSIX's: Etc/GMT-5 is five hours ahead of UTC.
    zone = "Etc/UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"
    say(f"  the department's time zone: {zone} (the daily jobs are due after {local})")
    return zone, offset


def stream_writes(stack: ScaledStack, admin: httpx.Client) -> tuple[list[Write], dict[str, Any]]:
    """The writers for STREAM_SECONDS, with the sign-outs and the faults at their moments."""
    cookies = {name: admin.cookies[name] for name in ("access_token", "csrf_token")}
    stop = threading.Event()
    results: list[list[Write]] = [[] for _ in range(WRITERS)]

    def work(index: int) -> None:
        results[index] = writer(stack.gateway, cookies, index, stop)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WRITERS)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    facts: dict[str, Any] = {}
    try:
        wait_until_second(began, FIRST_SIGN_OUT_AT)
        facts["revocation, all up"] = revocation_delays(stack, "with everything up", began)
        wait_until_second(began, STOP_NATS_AT)
        leader = streams(stack.jetstream())["LOGBOOK"]["cluster"]["leader"]
        stack("stop", NATS_SERVICES[leader])
        facts["stopped NATS"] = leader
        say(f"  {time.monotonic() - began:4.1f} s: stopped {leader}, the stream's leader")
        wait_until_second(began, STOP_API_AT)
        victim, container = list(stack.instances("api").items())[1]
        run(["docker", "stop", container])
        facts["stopped api"] = victim
        say(f"  {time.monotonic() - began:4.1f} s: stopped {victim}")
        wait_until_second(began, SECOND_SIGN_OUT_AT)
        facts["revocation, faults"] = revocation_delays(
            stack, f"with {leader} and {victim} stopped", began
        )
        wait_until_second(began, STREAM_SECONDS)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    return [write for done in results for write in done], facts


def wait_until_second(began: float, second: float) -> None:
    time.sleep(max(0.0, began + second - time.monotonic()))


def check_writes(stack: ScaledStack, writes: list[Write]) -> None:
    """Each 2xx write has its row and one audit entry."""
    ok = [write for write in writes if write.succeeded]
    members = {row[0] for row in stack.sql("SELECT id FROM users WHERE username LIKE 'scale.%'")}
    locations = {row[0] for row in stack.sql("SELECT id FROM locations WHERE name LIKE 'scale.%'")}
    audited = Counter(
        row[0]
        for row in stack.sql(
            "SELECT COALESCE(JSON_VALUE(event_data, '$.new_user_id'),"
            " JSON_VALUE(event_data, '$.location_id')) FROM audit_logs"
            " WHERE event_type IN ('user_created', 'location_created')"
        )
    )
    rows = {"member": members, "location": locations}
    lost = [w for w in ok if w.created_id not in rows[w.kind] or not audited[w.created_id]]
    twice = [w for w in ok if audited[w.created_id or ""] > 1]
    # A write refused or unanswered may still have been committed: counted, not an error.
    names = {row[0] for row in stack.sql("SELECT username FROM users")}
    names |= {row[0] for row in stack.sql("SELECT name FROM locations")}
    committed_anyway = [w for w in writes if not w.succeeded and w.name in names]
    others = Counter(write.status for write in writes if not write.succeeded)
    say(
        f"  writes sent {len(writes)}, 2xx {len(ok)}, lost {len(lost)}, audited twice "
        f"{len(twice)}; other answers {dict(sorted(others.items()))} (0: none), of which "
        f"committed anyway {len(committed_anyway)}"
    )
    if lost or twice:
        raise DeployTestError(f"lost {lost[:5]}, audited twice {twice[:5]}")


def drained(stack: ScaledStack) -> tuple[int, dict[str, int]]:
    """Outbox rows not yet published, and per durable consumer the published events matching
    its subject that it has not handled."""
    unsent = int(stack.sql("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")[0][0])
    events = stack.sql("SELECT id, subject FROM outbox WHERE sent_at IS NOT NULL")
    handled = {(r[0], r[1]) for r in stack.sql("SELECT consumer, event_id FROM processed_events")}
    waiting: dict[str, int] = {}
    for durable, subject_filter in durables(stack).items():
        missing = [
            event_id
            for event_id, subject in events
            if subject_matches(subject_filter, subject) and (durable, event_id) not in handled
        ]
        waiting[durable] = len(missing)
    return unsent, waiting


def durables(stack: ScaledStack) -> dict[str, str]:
    """The durable consumers of the stream and their subject filters."""
    consumers = streams(stack.jetstream())["LOGBOOK"].get("consumer_detail") or []
    return {
        consumer["config"]["durable_name"]: consumer["config"]["filter_subject"]
        for consumer in consumers
        if consumer["config"].get("durable_name")
    }


def instance_logs(stack: ScaledStack, *services: str) -> dict[str, list[dict[str, Any]]]:
    """The JSON log lines of every instance of these services, as they stand now."""
    return {
        name: list(stack.log_lines(container))
        for service in services
        for name, container in stack.instances(service).items()
    }


def check_events(stack: ScaledStack) -> dict[str, list[dict[str, Any]]]:
    """Every event published and handled by each consumer it concerns, none of them twice;
    returns the api and auth instances' log lines, read once every event was handled."""
    deadline = time.monotonic() + DRAIN_SECONDS
    while True:
        unsent, waiting = drained(stack)
        if not unsent and not any(waiting.values()):
            break
        if time.monotonic() > deadline:
            raise DeployTestError(f"after {DRAIN_SECONDS} s: {unsent} unsent, unhandled {waiting}")
        time.sleep(1)
    parked = int(stack.sql("SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL")[0][0])
    logs = instance_logs(stack, "api", "auth")  # after the drain: its handlings count too
    handled: Counter[tuple[str, str]] = Counter()
    by_instance: Counter[str] = Counter()
    skipped = 0
    for name, lines in logs.items():
        for line in lines:
            if line.get("event") == "consumer.handled":
                handled[(line["consumer"], line["event_id"])] += 1
                by_instance[name] += 1
            skipped += line.get("event") == "consumer.duplicate_skipped"
    twice = sum(1 for count in handled.values() if count > 1)
    total = int(stack.sql("SELECT COUNT(*) FROM outbox")[0][0])
    say(
        f"  events: {total} published, {sum(handled.values())} handlings by "
        f"{len(waiting)} durable consumers, handled twice {twice}, not handled 0, parked {parked}, "
        f"redeliveries skipped as already handled {skipped}; handlings per instance "
        f"{dict(sorted(by_instance.items()))}"
    )
    if twice or parked:
        raise DeployTestError(f"events handled twice {twice}, parked {parked}")
    return logs


def check_requests(logs: dict[str, list[dict[str, Any]]]) -> None:
    """Every instance of api and auth answered requests through the gateway (whose request ids,
    unlike a service's own, are UUIDs with dashes: the pollers' direct calls are left out)."""
    served = {
        name: sum(
            1
            for line in lines
            if line.get("event") == "http.request"
            and str(line.get("path", "")).startswith("/api/")
            and "-" in str(line.get("req_id", ""))
        )
        for name, lines in logs.items()
    }
    say(f"  requests per instance: {served}")
    idle = [name for name, count in served.items() if count == 0]
    if idle:
        raise DeployTestError(f"instances that served no request: {idle}")


def check_scheduled(stack: ScaledStack, organization: str, day: str) -> None:
    """The daily jobs ran for the department's day, and every run finished exactly once."""
    deadline = time.monotonic() + DRAIN_SECONDS
    while True:
        finished = {
            (row[0], row[1])
            for row in stack.sql(
                "SELECT job, run_key FROM scheduled_runs WHERE finished_at IS NOT NULL"
            )
        }
        missing = [job for job in DAILY_JOBS if (job, f"{day}/{organization}") not in finished]
        if not missing:
            break
        if time.monotonic() > deadline:
            raise DeployTestError(f"daily runs never finished: {missing}")
        time.sleep(2)
    rows = Counter((row[0], row[1]) for row in stack.sql("SELECT job, run_key FROM scheduled_runs"))
    ran: Counter[tuple[str, str]] = Counter()
    by_instance: Counter[str] = Counter()
    for name, lines in instance_logs(stack, "api").items():  # read once every run finished
        for line in lines:
            if line.get("event") == "scheduled.finished":
                ran[(line["job"], line["key"])] += 1
                by_instance[name] += 1
    twice = [run_ for run_, count in ran.items() if count > 1]
    unfinished_logged = [run_ for run_ in finished if ran[run_] == 0]
    say(
        f"  scheduled: {len(rows)} runs ({len(DAILY_JOBS)} daily for {day}), rows per run "
        f"{max(rows.values())}, finished twice {len(twice)}; runs per instance "
        f"{dict(sorted(by_instance.items()))}"
    )
    if twice or max(rows.values()) > 1 or unfinished_logged:
        raise DeployTestError(f"twice {twice}, finished without a log line {unfinished_logged}")


def scale_out(stack: ScaledStack) -> None:
    """Start scaled, write under faults, check and print the figures."""
    with step("build the images (compose build)"):
        stack("build")
    scale = [arg for service, count in SCALE.items() for arg in ("--scale", f"{service}={count}")]
    with step(f"start scaled ({' '.join(scale)}, NATS on 3 servers) and wait until healthy"):
        stack.up(options=scale)
        replicas = streams(stack.jetstream())["LOGBOOK"]["config"]["num_replicas"]
        say(f"  instances: {', '.join(stack.instances('api') | stack.instances('auth'))}")
        say(f"  stream LOGBOOK: {replicas} copies")
        if replicas != len(NATS_SERVICES):
            raise DeployTestError(f"the stream has {replicas} copies")
    with step("create the administrator, move the department past its daily jobs' hour"):
        create_admin(stack)
        zone, hours = timezone_past("07:30")
        organization = stack.sql("SELECT id FROM organizations")[0][0]
        day = (datetime.now(UTC) + timedelta(hours=hours)).date().isoformat()
    with browser(stack) as admin:
        expect(admin.patch("/api/v1/organization/profile", json={"timezone": zone}), 200)
        with step(f"{WRITERS} clients write through the gateway for {STREAM_SECONDS:.0f} s"):
            writes, facts = stream_writes(stack, admin)
    with step("check: every 2xx write kept and audited once, events handled once"):
        check_writes(stack, writes)
        logs = check_events(stack)
    with step("check: sign-outs refused in time, every instance served, jobs ran once"):
        for label in ("revocation, all up", "revocation, faults"):
            slow = {n: d for n, d in facts[label].items() if d > REVOCATION_LIMIT_SECONDS}
            if slow:
                raise DeployTestError(f"{label}: refused later than 1 s by {slow}")
        check_requests(logs)
        check_scheduled(stack, organization, day)


def main() -> int:
    """Run the scale-out test; clean up whatever happened; 0 when everything passed."""
    compose = ensure_docker()
    say(f"compose: {' '.join(compose)}; engine {engine_version()}")
    ensure_base_image()
    trust_host_authorities()
    with tempfile.TemporaryDirectory(prefix="logbook-scaletest-") as folder:
        stack = ScaledStack(
            compose,
            Path(folder),
            files=FILES,
            project=PROJECT,
            long_running=(*LONG_RUNNING, "nats-2", "nats-3"),
        )
        return run_on(stack, lambda: scale_out(stack), "scale-out test passed")


if __name__ == "__main__":
    sys.exit(main())
