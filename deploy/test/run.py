"""`make test-deploy`: the Compose deployment built, started and used as on a department's server.

Installs and starts the Docker engine when it is missing (Debian's docker.io and docker-compose;
needs root), builds the offline Debian base image when it is missing, then builds and starts
deploy/compose.yaml with the test's stand-ins for MariaDB, Redis and NATS
(deploy/test/compose.override.yaml) as a project of its own, published on free ports of
127.0.0.1. Through the gateway, like a browser: the administrator that `logbook create-admin`
made signs in, creates a member and reads it back; the member outlives `down` and `up`; the
commands docs/troubleshooting.md gives answer; a backup restored into a fresh stack shows the same
members and an audit trail that verifies; a production start without SECRET_KEY stops with the
`SECURITY FAILURE` message. Whatever passes or fails, the containers, volumes and networks are
removed at the end; the images stay, so the next run rebuilds only what changed.

One line per step, with the time since the start and the step's own duration.
"""

import contextlib
import json
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE_FILES = (DEPLOY / "compose.yaml", DEPLOY / "test" / "compose.override.yaml")
PROJECT = "logbook-deploytest"
BASE_IMAGE = "logbook-base:bookworm"
# Authorities this host added to its trust store (an HTTPS-inspecting proxy's): the image's build
# needs them to reach PyPI (deploy/ca-certificates/README.md).
HOST_EXTRA_CAS = Path("/usr/local/share/ca-certificates")
ORGANIZATION = "Station 9 Fire Company"
ADMIN = "chief"
PASSWORD = "Engine-Seven-Rolls#2026"  # noqa: S105 - the test administrator's
LONG_RUNNING = ("mysql", "redis", "nats", "auth", "api", "health", "gateway")
HEALTHY_WITHIN_SECONDS = 300.0
DOCKER_START_SECONDS = 60.0
EX_CONFIG = 78  # the services' exit code for a blocking security finding
STARTED = time.monotonic()


class DeployTestError(RuntimeError):
    """A step failed; the message says what was expected and what happened."""


def say(line: str) -> None:
    """One progress line, prefixed with the seconds since the start."""
    sys.stdout.write(f"[{time.monotonic() - STARTED:6.1f} s] {line}\n")
    sys.stdout.flush()


@contextlib.contextmanager
def step(name: str) -> Iterator[None]:
    """Print the step's name, then its duration once it succeeded."""
    say(f"{name} ...")
    began = time.monotonic()
    yield
    say(f"{name}: ok ({time.monotonic() - began:.1f} s)")


def run(
    argv: Sequence[str],
    *,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    timeout: float = 900,
) -> subprocess.CompletedProcess[bytes]:
    """Run a command to completion; with `check`, a non-zero exit raises with its output."""
    result = subprocess.run(  # noqa: S603 - the test's own fixed commands
        list(argv),
        input=stdin,
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise DeployTestError(
            f"`{shlex.join(argv)}` exited with {result.returncode}:\n{output_of(result)[-3000:]}"
        )
    return result


def output_of(result: subprocess.CompletedProcess[bytes]) -> str:
    """Standard output and error of a finished command, as text."""
    return (result.stdout + result.stderr).decode(errors="replace")


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def apt_install(*packages: str) -> None:
    """Debian packages, refreshing the package lists only when the first attempt fails."""
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise DeployTestError(f"install {', '.join(packages)} (as root, with apt-get) first")
    command = ["apt-get", "install", "-y", "-qq", *packages]
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    if run(command, env=env, check=False).returncode != 0:
        run(["apt-get", "update", "-qq"])
        run(command, env=env)


def compose_command() -> list[str]:
    """`docker compose` (v2) when the Docker CLI has it, else `docker-compose` (v1)."""
    if run(["docker", "compose", "version"], check=False).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose") is None:
        apt_install("docker-compose")
    return ["docker-compose"]


def ensure_docker() -> list[str]:
    """A running engine and a compose command, installed and started when missing."""
    if shutil.which("docker") is None or shutil.which("dockerd") is None:
        with step("install Docker (docker.io, docker-compose)"):
            apt_install("docker.io", "docker-compose")
    if run(["docker", "info"], check=False).returncode != 0:
        with step("start dockerd (log: /var/log/dockerd.log)"):
            with Path("/var/log/dockerd.log").open("ab") as log:
                # Its own session: it outlives this test and serves the next run's cached images.
                subprocess.Popen(
                    ["dockerd"],  # noqa: S607 - found on PATH like every other tool here
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
            deadline = time.monotonic() + DOCKER_START_SECONDS
            while run(["docker", "info"], check=False).returncode != 0:
                if time.monotonic() > deadline:
                    raise DeployTestError("dockerd did not answer within 60 s")
                time.sleep(0.5)
    return compose_command()


def ensure_base_image() -> None:
    """The Debian base the test's images are built on (deploy/base-image.sh) when missing."""
    if run(["docker", "image", "inspect", BASE_IMAGE], check=False).returncode == 0:
        return
    with step(f"build the base image {BASE_IMAGE} (debootstrap, docker import)"):
        if shutil.which("debootstrap") is None:
            apt_install("debootstrap")
        run([str(DEPLOY / "base-image.sh"), BASE_IMAGE])


def trust_host_authorities() -> None:
    """Give the image's build the host's extra authorities (a proxy's), as an operator would."""
    target = DEPLOY / "ca-certificates"
    for certificate in sorted(HOST_EXTRA_CAS.glob("*.crt")):
        copy = target / certificate.name
        if not copy.exists() or copy.read_bytes() != certificate.read_bytes():
            shutil.copyfile(certificate, copy)
            say(f"extra CA for the build: {copy.relative_to(ROOT)} (git ignores it)")


# What .env holds for the services and MariaDB alone.
SECRETS = (
    "SECRET_KEY",
    "ENCRYPTION_KEY",
    "ENCRYPTION_SALT",
    "DB_PASSWORD",
    "REDIS_PASSWORD",
    "MARIADB_ROOT_PASSWORD",
)


class Stack:
    """The compose project under test: its command line, settings and gateway address."""

    def __init__(
        self,
        compose: list[str],
        folder: Path,
        *,
        files: Sequence[Path] = COMPOSE_FILES,
        project: str = PROJECT,
        long_running: Sequence[str] = LONG_RUNNING,
    ) -> None:
        self.project = project
        self.long_running = long_running
        self.env_file = folder / ".env"
        self.http_port = free_port()
        # Compose reads the variables from this file (not deploy/.env, a real deployment's) and
        # passes it to the services (LOGBOOK_ENV_FILE), as deploy/.env on a server.
        values = {
            "BASE_IMAGE": BASE_IMAGE,
            "LOGBOOK_ENV_FILE": str(self.env_file),
            "SECRET_KEY": secrets.token_hex(32),
            "ENCRYPTION_KEY": secrets.token_hex(32),
            "ENCRYPTION_SALT": secrets.token_hex(16),
            "DB_PASSWORD": secrets.token_hex(24),
            "REDIS_PASSWORD": secrets.token_hex(24),
            "MARIADB_ROOT_PASSWORD": secrets.token_hex(24),
            "PUBLISH_ADDRESS": "127.0.0.1",
            "HTTP_PORT": str(self.http_port),
            "HTTPS_PORT": str(free_port()),
            # Plain http: a browser would not send Secure cookies back (a trial's setting).
            "COOKIE_SECURE_ATTR": "",
        }
        self.env_file.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
        self.env_file.chmod(0o600)
        options = [arg for path in files for arg in ("-f", str(path))]
        self.command = [*compose, "--env-file", str(self.env_file), "-p", project, *options]
        self.gateway = f"http://127.0.0.1:{self.http_port}"

    def __call__(
        self,
        *args: str,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = True,
    ) -> subprocess.CompletedProcess[bytes]:
        return run([*self.command, *args], stdin=stdin, env=env, check=check)

    def up(self, *services: str, options: Sequence[str] = ()) -> None:
        """`up -d`, then wait until every started service is healthy and the gateway answers."""
        self("up", "-d", *options, *services)
        self.wait_healthy(services or self.long_running)
        if not services:
            self.wait_gateway()

    def wait_healthy(self, services: Sequence[str]) -> None:
        """Each service's container healthy (its image's or compose's check)."""
        deadline = time.monotonic() + HEALTHY_WITHIN_SECONDS
        waiting = list(services)
        while waiting:
            states = {service: self.health(service) for service in waiting}
            waiting = [service for service, state in states.items() if state != "healthy"]
            if any(state in ("unhealthy", "exited") for state in states.values()):
                raise DeployTestError(f"not healthy: {states}")
            if waiting and time.monotonic() > deadline:
                raise DeployTestError(
                    f"still not healthy after {HEALTHY_WITHIN_SECONDS} s: {states}"
                )
            time.sleep(1)

    def containers(self, service: str) -> list[str]:
        """The ids of a service's containers (several when it is scaled)."""
        return self("ps", "-q", service).stdout.decode().split()

    def health(self, service: str) -> str:
        """`healthy`, `starting`, `unhealthy`, `exited` or `missing`; of a scaled service, the
        first instance's that is not healthy."""
        containers = self.containers(service)
        if not containers:
            return "missing"
        template = "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}"
        states = []
        for container in containers:
            state = run(["docker", "inspect", "-f", template, container]).stdout.decode().split()
            states.append(state[1] if len(state) > 1 else state[0])
        return next((state for state in states if state != "healthy"), "healthy")

    def wait_gateway(self) -> None:
        """`/health` through the gateway says `healthy` (every dependency and service up)."""
        deadline = time.monotonic() + HEALTHY_WITHIN_SECONDS
        body: Any = None
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError, ValueError):
                body = httpx.get(f"{self.gateway}/health", timeout=5).json()
                if body.get("status") == "healthy":
                    return
            time.sleep(1)
        raise DeployTestError(f"/health through the gateway never said healthy: {body}")

    def exit_code(self, service: str) -> int:
        """The exit code of a service's (stopped) container."""
        container = self("ps", "-q", service).stdout.decode().strip()
        return int(run(["docker", "inspect", "-f", "{{.State.ExitCode}}", container]).stdout)

    def mariadb(self, *args: str, stdin: bytes | None = None) -> bytes:
        """A MariaDB client's standard output, run in the database's container as root (with
        the password the container was given)."""
        script = 'exec "$0" -uroot -p"$MARIADB_ROOT_PASSWORD" "$@"'
        return self("exec", "-T", "mysql", "sh", "-c", script, *args, stdin=stdin).stdout

    def diagnose(self) -> None:
        """What an operator would look at first, printed after a failure."""
        sys.stdout.write(output_of(self("ps", check=False)))
        sys.stdout.write(output_of(self("logs", "--no-color", "--tail", "15", check=False)))


@contextlib.contextmanager
def browser(stack: Stack) -> Iterator[httpx.Client]:
    """A client signed in as the administrator through the gateway, like the web app: cookies
    set by the gateway, the CSRF cookie's value echoed in X-CSRF-Token."""
    with httpx.Client(base_url=stack.gateway, timeout=30) as client:
        login = client.post("/api/v1/auth/login", json={"username": ADMIN, "password": PASSWORD})
        expect(login, 200)
        if not {"access_token", "csrf_token"} <= set(client.cookies):
            raise DeployTestError(f"sign-in set no session cookies: {login.headers}")
        client.headers["X-CSRF-Token"] = client.cookies["csrf_token"]
        yield client


def expect(response: httpx.Response, status: int) -> Any:
    """The response's JSON when it has the status, else the failure."""
    if response.status_code != status:
        raise DeployTestError(
            f"{response.request.method} {response.request.url.path}: {response.status_code}, "
            f"expected {status}: {response.text[:500]}"
        )
    return response.json() if response.content else None


def roster(client: httpx.Client) -> list[tuple[str, str]]:
    """Every member's id and username, sorted."""
    members = expect(client.get("/api/v1/users"), 200)
    return sorted((member["id"], member["username"]) for member in members)


def wait_audited(client: httpx.Client, event_type: str, count: int) -> None:
    """The audit trail holds `count` entries of this type (they are written from events)."""
    deadline = time.monotonic() + 30
    while True:
        page = expect(client.get("/api/v1/audit-logs", params={"event_type": event_type}), 200)
        if page["total"] >= count:
            return
        if time.monotonic() > deadline:
            raise DeployTestError(f"{count} {event_type} audit entries expected: {page['total']}")
        time.sleep(0.5)


def create_admin(stack: Stack) -> str:
    """`logbook create-admin` in the auth container, the password on standard input; returns
    the first line it printed."""
    created = stack(
        *("exec", "-T", "auth", "logbook", "create-admin", "--org-name", ORGANIZATION),
        *("--email", "chief@station9.example.org", "--username", ADMIN),
        *("--first-name", "Dana", "--last-name", "Reyes"),
        stdin=f"{PASSWORD}\n".encode(),
    )
    return output_of(created).strip().splitlines()[0]


def start_and_use(stack: Stack) -> str:
    """Build, start, create the administrator and a member; returns the member's id."""
    with step("build the images (compose build)"):
        stack("build")
    with step("start the stack (up -d) and wait until every service is healthy"):
        stack.up()
    with step("create the administrator (compose exec auth logbook create-admin)"):
        say(create_admin(stack))
    with step("the gateway, facing the network, holds none of the secrets"):
        names = {
            line.split("=", 1)[0]
            for line in output_of(stack("exec", "-T", "gateway", "env")).splitlines()
        }
        held = sorted(names & set(SECRETS))
        if held:
            raise DeployTestError(f"the gateway's environment holds {held}")
    with step("sign in through the gateway, create a member, read it back"), browser(stack) as c:
        body = {
            "username": "casey.rivera",
            "email": "casey.rivera@station9.example.org",
            "first_name": "Casey",
            "last_name": "Rivera",
            "send_welcome_email": False,
        }
        member_id: str = expect(c.post("/api/v1/users", json=body), 201)["id"]
        read = expect(c.get(f"/api/v1/users/{member_id}/with-roles"), 200)
        if read["username"] != body["username"]:
            raise DeployTestError(f"read back {read['username']}, created {body['username']}")
    return member_id


def restart_keeps(stack: Stack, member_id: str) -> None:
    """`down` then `up`: the member is still there (the data lives in the named volumes)."""
    with step("stop and remove the containers (compose down), start again (up -d)"):
        stack("down")
        stack.up()
    with step("sign in again and find the member"), browser(stack) as client:
        expect(client.get(f"/api/v1/users/{member_id}/with-roles"), 200)


def troubleshooting_commands(stack: Stack) -> None:
    """The commands docs/troubleshooting.md gives, each checked for what the page says."""
    with step("troubleshooting commands (docs/troubleshooting.md)"):
        one_off = ("run", "--rm", "--no-deps", "-T", "migrate")
        checks: list[tuple[str, Sequence[str], str]] = [
            ("ps", ("ps",), "Up"),
            ("logs", ("logs", "--no-color", "--tail", "20", "api"), "api"),
            ("alembic heads", ("exec", "-T", "api", "alembic", "heads"), "(head)"),
            ("alembic current", ("exec", "-T", "api", "alembic", "current"), "(head)"),
            ("check-config", ("exec", "-T", "api", "logbook", "check-config"), "would proceed"),
            ("redis INFO stats", ("exec", "-T", "redis", "redis-cli", "INFO", "stats"), "keyspace"),
            ("migrate job again", ("run", "--rm", "-T", "migrate"), ""),
            *(
                (f"alembic {word}, no service needed", (*one_off, "alembic", word), "(head)")
                for word in ("current", "heads")
            ),
        ]
        for name, args, wanted in checks:
            if wanted not in output_of(stack(*args)):
                raise DeployTestError(f"`{name}` did not say {wanted!r}")
        processes = stack.mariadb("mariadb", "-e", "SHOW PROCESSLIST").decode()
        if "logbook" not in processes:
            raise DeployTestError(
                f"SHOW PROCESSLIST lists no connection of the services:\n{processes}"
            )
        ids = stack("ps", "-q").stdout.decode().split()
        stats = run(["docker", "stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}", *ids])
        for line in output_of(stats).splitlines():
            say(f"  docker stats: {line.removeprefix(PROJECT + '_')}")


def backup_and_restore(stack: Stack, folder: Path) -> None:
    """docs/install.md's backup (a dump through compose, plus .env), restored into a fresh stack:
    the same members, and an audit trail that verifies."""
    with browser(stack) as client:
        wait_audited(client, "user_created", 1)
        members = roster(client)
    backup = folder / "logbook.sql"
    with step("back up the database (compose exec mysql mariadb-dump)"):
        dump = stack.mariadb("mariadb-dump", "--single-transaction", "--routines", "logbook")
        backup.write_bytes(dump)
        say(f"  dump: {backup.stat().st_size:,} bytes")
    with step("remove the stack and its volumes (down -v): a fresh server"):
        stack("down", "-v")
    with step("restore into a fresh stack (up mysql, the dump through mariadb, up)"):
        stack.up("mysql")
        stack.mariadb("mariadb", "logbook", stdin=backup.read_bytes())
        stack.up()
    with step("the same members, and the audit trail verifies"), browser(stack) as client:
        if roster(client) != members:
            raise DeployTestError(f"restored members {roster(client)}, backed up {members}")
        report = expect(client.get("/api/v1/security/audit-log/integrity"), 200)
        if not report["verified"] or report["total_checked"] == 0:
            raise DeployTestError(f"the restored audit trail does not verify: {report}")
        say(f"  {len(members)} members, {report['total_checked']} audit entries verified")


def missing_secret_refused(stack: Stack, folder: Path) -> None:
    """A production start whose .env lacks SECRET_KEY stops before anything listens, saying why:
    `up` stops at the migrate job, and a service started by itself refuses too."""
    lacking = folder / "lacking-secret.env"
    lines = stack.env_file.read_text().splitlines()
    lacking.write_text("".join(f"{ln}\n" for ln in lines if not ln.startswith("SECRET_KEY=")))
    # The services read this file instead of the complete one (a variable of the shell wins
    # over compose's --env-file).
    env = {"LOGBOOK_ENV_FILE": str(lacking)}
    with step("up without SECRET_KEY: migrate exits with SECURITY FAILURE, nothing else starts"):
        stack("down")
        started = stack("up", "-d", env=env, check=False)
        said = output_of(stack("logs", "--no-color", "migrate"))
        code = stack.exit_code("migrate")
        services = ("auth", "api", "health", "gateway")
        running = [s for s in services if stack.health(s) not in ("missing", "created")]
        if started.returncode == 0 or code != EX_CONFIG or running:
            raise DeployTestError(f"up: exit {started.returncode}, migrate {code}, {running}")
        say(f"  migrate: {security_failure(said)}")
    with step("a service started by itself without SECRET_KEY refuses too"):
        alone = stack("run", "--rm", "--no-deps", "-T", "auth", env=env, check=False)
        if alone.returncode != EX_CONFIG:
            raise DeployTestError(f"auth exited with {alone.returncode}:\n{output_of(alone)}")
        say(f"  auth: {security_failure(output_of(alone))}")


def security_failure(said: str) -> str:
    """The `SECURITY FAILURE` line naming SECRET_KEY, shortened; raises if there is none."""
    lines = [line.partition("SECURITY FAILURE")[1:] for line in said.splitlines()]
    found = ["".join(parts) for parts in lines if parts[0] and "SECRET_KEY" in parts[1]]
    if not found:
        raise DeployTestError(f"no SECURITY FAILURE naming SECRET_KEY:\n{said[-2000:]}")
    return found[0][:90]


def main() -> int:
    """Run every step; clean up whatever happened; 0 when everything passed."""
    compose = ensure_docker()
    say(f"compose: {shlex.join(compose)}; engine {engine_version()}")
    ensure_base_image()
    trust_host_authorities()
    with tempfile.TemporaryDirectory(prefix="logbook-deploytest-") as folder:
        stack = Stack(compose, Path(folder))

        def every_step() -> None:
            member_id = start_and_use(stack)
            restart_keeps(stack, member_id)
            troubleshooting_commands(stack)
            backup_and_restore(stack, Path(folder))
            missing_secret_refused(stack, Path(folder))

        return run_on(stack, every_step, "deployment test passed")


def run_on(stack: Stack, work: Callable[[], None], passed: str) -> int:
    """`work` on a stack cleared of what a killed run left; cleaned up whatever happens; 0 when
    it passed, 1 (after the containers' logs) when it did not."""
    stack("down", "-v", "--remove-orphans", check=False)
    try:
        work()
    except (DeployTestError, httpx.HTTPError, subprocess.TimeoutExpired) as exc:
        stack.diagnose()
        say(f"FAILED: {exc}")
        return 1
    finally:
        with step("clean up (down -v --remove-orphans; the images stay)"):
            stack("down", "-v", "--remove-orphans", check=False)
    say(passed)
    return 0


def engine_version() -> str:
    """The Docker engine's version."""
    info = run(["docker", "version", "--format", "{{json .Server.Version}}"])
    return str(json.loads(info.stdout))


if __name__ == "__main__":
    sys.exit(main())
