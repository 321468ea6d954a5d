"""The benchmark's HTTP clients, each a simulated browser with its own connection to the gateway.

Sign-ins use aiohttp (a JSON body and cookies to keep). `/auth/me` readers use a lean
keep-alive HTTP/1.1 client: on this 2-core machine the client shares the cores with the gateway
and the services, and aiohttp spent as much CPU per request (about 0.3 ms) as the auth service
it measured, about five times what this reader spends. It still sends every request through the
gateway with the browser's cookie and reads every response whole; anything but a complete 200
counts as a failure.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import cast

import aiohttp

from tests.e2e.auth_platform import PASSWORD

LOGIN = {"username": "bench", "password": PASSWORD}
HTTP_OK = 200
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
    """One keep-alive connection sending the same GET, one request at a time."""

    def __init__(self, request: bytes) -> None:
        self._request = request
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None
        self._response_end: int | None = None
        self._status = 0
        self._waiter: asyncio.Future[bool] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport to write requests to."""
        self._transport = cast(asyncio.Transport, transport)  # TCP, as asked

    def data_received(self, data: bytes) -> None:
        """Collect the response; complete the request once its body is in."""
        self._buffer += data
        if self._response_end is None and not self._read_head():
            return
        if self._response_end is not None and len(self._buffer) >= self._response_end:
            del self._buffer[: self._response_end]
            self._response_end = None
            self._finish(self._status == HTTP_OK)

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
            self._finish(False)
            if self._transport is not None:
                self._transport.close()
            return False
        self._response_end = end + 4 + int(lengths[0])
        return True

    def connection_lost(self, exc: Exception | None) -> None:  # noqa: ARG002 - any cause
        """A dropped connection fails the request in flight."""
        self._transport = None
        self._finish(False)

    def _finish(self, ok: bool) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(ok)

    async def get(self) -> bool:
        """Send the request and wait for its whole response; True for a 200."""
        if self._transport is None:
            raise ConnectionError("the gateway closed the connection")
        self._waiter = asyncio.get_running_loop().create_future()
        self._transport.write(self._request)
        return await self._waiter


async def reader(host: str, port: int, path: str, cookies: dict[str, str]) -> Reader:
    """A connected reader of `path` sending the browser's cookies."""
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}\r\n\r\n".encode()
    loop = asyncio.get_running_loop()
    _, connected = await loop.create_connection(lambda: Reader(request), host, port)
    return connected
