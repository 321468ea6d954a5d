"""The benchmark's HTTP clients, each a simulated browser with its own connection to the gateway.

Sign-ins use aiohttp (a JSON body and cookies to keep). `/auth/me` readers use a lean
keep-alive HTTP/1.1 client: on this 2-core machine the client shares the cores with the gateway
and the services, and aiohttp spent as much CPU per request (about 0.3 ms) as the auth service
it measured, about five times what this reader spends. It still sends every request through the
gateway with the browser's cookie and reads every response whole; anything but a complete 200
counts as a failure. The same connection also sends other requests (`send`), for benchmarks
that write: a POST with its body, its answer's status and body back.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

import aiohttp

from tests.e2e.auth_platform import PASSWORD

LOGIN = {"username": "bench", "password": PASSWORD}
HTTP_OK = 200
FAILED = 0  # the status `Reader.send` reports for a response it could not read
Call = Callable[[], Awaitable[bool]]  # one request; True when it succeeded


@dataclass
class Browser:
    """One simulated browser: its connection and its cookie jar."""

    client: aiohttp.ClientSession
    jar: aiohttp.CookieJar

    async def sign_in(self) -> bool:
        """Sign in as a new browser would (no cookies yet)."""
        self.jar.clear()
        async with self.client.post("/api/v1/auth/login", json=LOGIN) as response:
            await response.read()
            return response.status == HTTP_OK

    def cookie(self, name: str) -> str:
        """A cookie the gateway set."""
        return next(c.value for c in self.jar if c.key == name)


@contextlib.asynccontextmanager
async def browsers(base: str, count: int) -> AsyncIterator[list[Browser]]:
    """`count` browsers, each with its own connection and cookies."""
    async with contextlib.AsyncExitStack() as stack:
        opened = []
        for _ in range(count):
            jar = aiohttp.CookieJar(unsafe=True)  # the gateway is an IP address
            timeout = aiohttp.ClientTimeout(total=60)
            client = aiohttp.ClientSession(base, cookie_jar=jar, timeout=timeout)
            opened.append(Browser(await stack.enter_async_context(client), jar))
        yield opened


class Reader(asyncio.Protocol):
    """One keep-alive connection sending the same GET (or any request), one at a time."""

    def __init__(self, request: bytes) -> None:
        self._request = request
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None
        self._body_start = 0
        self._response_end: int | None = None
        self._status = 0
        self._waiter: asyncio.Future[tuple[int, bytes]] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport to write requests to."""
        self._transport = cast(asyncio.Transport, transport)  # TCP, as asked

    def data_received(self, data: bytes) -> None:
        """Collect the response; complete the request once its body is in."""
        self._buffer += data
        if self._response_end is None and not self._read_head():
            return
        if self._response_end is not None and len(self._buffer) >= self._response_end:
            body = bytes(self._buffer[self._body_start : self._response_end])
            del self._buffer[: self._response_end]
            self._response_end = None
            self._finish(self._status, body)

    def _read_head(self) -> bool:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        status_line, *headers = bytes(self._buffer[:end]).split(b"\r\n")
        self._status = int(status_line.split(b" ", 2)[1])
        lengths = [
            v for k, _, v in (h.partition(b":") for h in headers) if k.lower() == b"content-length"
        ]
        if len(lengths) != 1:  # chunked or malformed: not what the gateway sends here
            self._finish(FAILED)
            if self._transport is not None:
                self._transport.close()
            return False
        self._body_start = end + 4
        self._response_end = self._body_start + int(lengths[0])
        return True

    def connection_lost(self, exc: Exception | None) -> None:  # noqa: ARG002 - any cause
        """A dropped connection fails the request in flight."""
        self._transport = None
        self._finish(FAILED)

    def _finish(self, status: int, body: bytes = b"") -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result((status, body))

    async def send(self, request: bytes) -> tuple[int, bytes]:
        """Send one request and wait for its whole response: its status (0 when the response
        was unreadable or the connection dropped) and its body."""
        if self._transport is None:
            raise ConnectionError("the gateway closed the connection")
        self._waiter = asyncio.get_running_loop().create_future()
        self._transport.write(request)
        return await self._waiter

    async def get(self) -> bool:
        """Send the reader's own request and wait for its whole response; True for a 200."""
        status, _ = await self.send(self._request)
        return status == HTTP_OK


def http_request(
    method: str,
    address: tuple[str, int],
    path: str,
    cookies: dict[str, str],
    *,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> bytes:
    """One HTTP/1.1 request as a browser on `address` (host, port) sends it, with its cookies."""
    host, port = address
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}"]
    if cookies:
        lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method not in {"GET", "HEAD"}:
        lines.append(f"Content-Length: {len(body)}")
    return "\r\n".join(lines).encode() + b"\r\n\r\n" + body


async def reader(host: str, port: int, path: str, cookies: dict[str, str]) -> Reader:
    """A connected reader of `path` sending the browser's cookies."""
    request = http_request("GET", (host, port), path, cookies)
    loop = asyncio.get_running_loop()
    _, connected = await loop.create_connection(lambda: Reader(request), host, port)
    return connected


def gateway_address(gateway: str) -> tuple[str, int]:
    """The gateway's host and port, for the lean readers' own connections."""
    url = urlsplit(gateway)
    return url.hostname or "127.0.0.1", url.port or 80


async def sign_in(base: str, username: str) -> dict[str, str]:
    """The cookies a browser keeps after signing in as `username` (the departments' password)."""
    jar = aiohttp.CookieJar(unsafe=True)  # the gateway is an IP address
    async with aiohttp.ClientSession(base, cookie_jar=jar) as client:
        login = {"username": username, "password": PASSWORD}
        async with client.post("/api/v1/auth/login", json=login) as response:
            if response.status != HTTP_OK:
                raise RuntimeError(f"{username} could not sign in: {await response.text()}")
    return {c.key: c.value for c in jar}


async def expect(
    client: aiohttp.ClientSession, path: str, problem: Callable[[Any], str | None]
) -> None:
    """Refuse to time an answer that is not the one the benchmark means to time: `problem`
    says what is wrong with the answer, or None."""
    async with client.get(path) as response:
        answer = await response.json()
    found = problem(answer) if response.status == HTTP_OK else str(answer)[:300]
    if found:
        raise RuntimeError(f"GET {path} answered {response.status}: {found}")
