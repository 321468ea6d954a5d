"""One SQLite platform per xdist worker for the sign-in, two-factor and password-reset modules
(test_auth_flow, test_mfa_flow, test_password_reset) and test_switches: a superset of what they
need, so the four start one platform instead of five. It keeps the e2e coverage of SQLite (the
`make run` default), starts with no organization (what the login page sees before
`create-admin` is kept), sends mail to an SMTP sink, signs with a known SECRET_KEY (tests forge
challenge tokens) and widens the limits every 127.0.0.1 client shares."""

import asyncio
import contextlib
import email
import email.message
import email.policy
import secrets
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.e2e import department
from tests.e2e.stack import LOGBOOK, PLATFORM_HASH_COST, ROOT, Stack, start_stack

ORG = "Station Nine Volunteer Fire Company"
PASSWORD = department.PASSWORD  # one Argon2 hash of it serves the MariaDB departments too
DOMAIN = "station9.example.org"
SECRET_KEY = secrets.token_urlsafe(48)
MAIL_FROM = f"Station Nine <logbook@{DOMAIN}>"
FRONTEND_URL = f"https://logbook.{DOMAIN}/"
MAIL_WAIT_SECONDS = 15.0
POLICY = email.policy.default
SETTINGS = {
    # Every client is 127.0.0.1: the buckets (5 sign-ins a minute, 3 resets in 5 minutes) are
    # widened so the limiter stays in the path without refusing the tests' requests, and the
    # suspicious-address throttle (50 failures) is out of reach of the modules' wrong passwords
    # and codes together (test_suspicious_ips tests it on a platform of its own).
    "RATE_LIMIT_MULTIPLIER": "100",
    "SUSPICIOUS_IP_MAX_FAILURES": "100000",
    "SECRET_KEY": SECRET_KEY,
    "SMTP_STARTTLS": "false",
    "SMTP_FROM": MAIL_FROM,
    "FRONTEND_URL": FRONTEND_URL,
    # test_switches: the gateway's switches turned away from their defaults (which the shared
    # platform serves); the sign-in modules use neither the docs nor /metrics.
    "ENABLE_DOCS": "false",
    "METRICS_PUBLIC": "true",
}


@dataclass
class AuthPlatform:
    """The running platform, its SQLite file, its mail, and what the login page saw before the
    first administrator existed."""

    stack: Stack
    database: Path
    sink: "SmtpSink"
    branding_before: dict[str, Any]
    onboarding_before: dict[str, Any]


def create_admin(
    database: Path, username: str, email: str, password: str = PASSWORD
) -> subprocess.CompletedProcess[str]:
    """`logbook create-admin`, the password on standard input as from a script."""
    return subprocess.run(
        [
            *(str(LOGBOOK), "create-admin", "--org-name", ORG, "--email", email),
            *("--username", username, "--first-name", "Dana", "--last-name", "Reyes"),
        ],
        input=password + "\n",
        text=True,
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "PASSWORD_HASH_COST": PLATFORM_HASH_COST,
        },
    )


def add_admin(database: Path, username: str) -> None:
    """Another administrator of ORG (`username@DOMAIN`) as `create-admin` makes them, written
    in-process: the command's own process costs a second or two (its use is tested with
    `chief` and in TestCreateAdmin)."""
    department.create_admin(f"sqlite+aiosqlite:///{database}", ORG, username)


@contextlib.contextmanager
def running_auth_platform(workdir: Path) -> Iterator[AuthPlatform]:
    with SmtpSink() as sink:
        stack = start_stack(workdir, SMTP_HOST="127.0.0.1", SMTP_PORT=str(sink.port), **SETTINGS)
        try:
            branding = httpx.get(f"{stack.gateway}/api/v1/auth/branding").json()
            onboarding = httpx.get(f"{stack.gateway}/api/v1/onboarding/status").json()
            database = workdir / "var" / "logbook.db"
            created = create_admin(database, "chief", f"chief@{DOMAIN}")
            assert created.returncode == 0, created.stderr
            yield AuthPlatform(stack, database, sink, branding, onboarding)
        finally:
            stack.stop()


def text_of(message: email.message.EmailMessage) -> str:
    """The plain-text body of a message ("" without one)."""
    body = message.get_body(("plain",))
    return "" if body is None else str(body.get_content())


class SmtpSink:
    """A minimal SMTP server on its own thread; refuses recipients whose address has 'bounce'."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.parsed: list[email.message.EmailMessage] = []  # parsed once, as they arrive
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None

    def __enter__(self) -> "SmtpSink":
        self._thread.start()
        started = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._session, "127.0.0.1", 0), self._loop
        )
        self._server = started.result(timeout=5)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *_: object) -> None:
        if self._server is not None:
            asyncio.run_coroutine_threadsafe(self._close(self._server), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    @staticmethod
    async def _close(server: asyncio.Server) -> None:
        server.close()
        await server.wait_closed()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 sink ESMTP\r\n")
        try:
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb == b"EHLO":
                    writer.write(b"250-sink\r\n250 8BITMIME\r\n")
                elif verb == b"RCPT" and b"bounce" in line.lower():
                    writer.write(b"550 no such mailbox\r\n")
                elif verb == b"DATA":
                    writer.write(b"354 end with <CRLF>.<CRLF>\r\n")
                    raw = await self._data(reader)
                    self.parsed.append(email.message_from_bytes(raw, policy=POLICY))
                    self.messages.append(raw)
                    writer.write(b"250 queued\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    break
                else:  # HELO, MAIL, RCPT, RSET, NOOP
                    writer.write(b"250 ok\r\n")
                await writer.drain()
        finally:
            writer.close()

    @staticmethod
    async def _data(reader: asyncio.StreamReader) -> bytes:
        lines = []
        while (line := await reader.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)  # undo dot-stuffing
        return b"".join(lines)

    def wait_for(self, count: int) -> list[bytes]:
        deadline = time.monotonic() + MAIL_WAIT_SECONDS
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        return list(self.messages)

    def to(
        self, address: str, count: int = 1, containing: str = ""
    ) -> list[email.message.EmailMessage]:
        """The messages to `address` whose text holds `containing`, once `count` arrived or
        after MAIL_WAIT_SECONDS (mail goes out after the answer; other tests' mail, and other
        kinds of mail to the same member, are in the same sink)."""
        deadline = time.monotonic() + MAIL_WAIT_SECONDS
        while True:
            found = [
                message
                for message in list(self.parsed)
                if message["To"] == address and containing in text_of(message)
            ]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)
