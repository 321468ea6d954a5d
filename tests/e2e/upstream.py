"""Stand-ins for the services behind the gateway, for the gateway tests.

An echo server answers every HTTP request with JSON naming the upstream it plays, the raw path
and the headers it received; request headers tell it which status and extra response headers
to send. A WebSocket server sends back the handshake headers it received as its one message.
"""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from websockets.sync.server import ServerConnection, serve

# Request headers that steer the echo server's response.
RESPOND_STATUS = "X-Test-Respond-Status"
RESPOND_HEADERS = "X-Test-Respond-Headers"  # JSON object: header name -> value or list of values


class EchoHandler(BaseHTTPRequestHandler):
    """Answers any method with what it received."""

    protocol_version = "HTTP/1.1"  # keep-alive, like the services behind Caddy's connection pool
    server: "EchoServer"

    def do_GET(self) -> None:
        self._echo()

    # http.server dispatches on these names; every method gets the same echo.
    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET  # noqa: N815

    def _echo(self) -> None:
        self.server.paths.append(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        payload = {
            "upstream": self.server.name,
            "method": self.command,
            "path": self.path,
            "headers": list(self.headers.items()),
            "body": self.rfile.read(length).decode(),
        }
        encoded = json.dumps(payload).encode()
        extra: dict[str, str | list[str]] = json.loads(self.headers.get(RESPOND_HEADERS) or "{}")
        self.send_response(int(self.headers.get(RESPOND_STATUS) or 200))
        if "Content-Type" not in extra:  # else the steering headers say what the body is
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(encoded)))
        # The services echo the request id too; the gateway must not let that duplicate its own.
        if request_id := self.headers.get("X-Request-ID"):
            self.send_header("X-Request-ID", request_id)
        for name, values in extra.items():
            for value in [values] if isinstance(values, str) else values:
                self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(encoded)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Keep the test output quiet."""


class EchoServer(ThreadingHTTPServer):
    """An echo server on a free port that records every path it was asked for."""

    daemon_threads = True

    def __init__(self, name: str) -> None:
        super().__init__(("127.0.0.1", 0), EchoHandler)  # port 0: the OS picks a free one
        self.name = name
        self.paths: list[str] = []

    @property
    def address(self) -> str:
        """host:port, as Caddy's reverse_proxy takes it."""
        host, port = self.server_address[:2]
        return f"{host!s}:{port}"


@contextmanager
def running_echo_server(name: str) -> Iterator[EchoServer]:
    """Serve in a background thread for the duration of the block."""
    server = EchoServer(name)
    thread = threading.Thread(target=server.serve_forever, name=f"echo-{name}", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _send_handshake(connection: ServerConnection) -> None:
    request = connection.request
    headers = list(request.headers.raw_items()) if request else []
    connection.send(json.dumps({"path": request.path if request else "", "headers": headers}))


@contextmanager
def running_websocket_server() -> Iterator[str]:
    """A WebSocket endpoint on a free port; yields its host:port."""
    server = serve(_send_handshake, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, name="echo-websocket", daemon=True)
    thread.start()
    try:
        host, port = server.socket.getsockname()[:2]
        yield f"{host}:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
