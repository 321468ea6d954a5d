"""A tiny echo server standing in for a service behind the gateway in the gateway tests."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Request headers the tests use to steer the echo server's response.
RESPOND_HEADERS = "X-Test-Respond-Headers"  # JSON object: header name -> value or list of values
RESPOND_STATUS = "X-Test-Respond-Status"


class EchoHandler(BaseHTTPRequestHandler):
    """Answers every method with JSON naming the upstream, the raw path and the headers it got."""

    protocol_version = "HTTP/1.1"  # keep-alive, as Caddy's pooled upstream connections expect
    server: "EchoServer"

    def do_GET(self) -> None:
        self._echo()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _echo(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        payload = {
            "upstream": self.server.name,
            "method": self.command,
            "path": self.path,
            "headers": [[name, value] for name, value in self.headers.items()],
            "body": body,
        }
        encoded = json.dumps(payload).encode()
        self.send_response(int(self.headers.get(RESPOND_STATUS) or 200))
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(encoded)))
        # A real service echoes the request id; the gateway must not let that duplicate its own.
        if request_id := self.headers.get("X-Request-ID"):
            self.send_header("X-Request-ID", request_id)
        extra: dict[str, str | list[str]] = json.loads(self.headers.get(RESPOND_HEADERS) or "{}")
        for name, values in extra.items():
            for value in [values] if isinstance(values, str) else values:
                self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(encoded)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Stay quiet: pytest output should show only failures."""


class EchoServer(ThreadingHTTPServer):
    """A threaded HTTP server that remembers which upstream it plays."""

    daemon_threads = True

    def __init__(self, name: str) -> None:
        super().__init__(("127.0.0.1", 0), EchoHandler)  # port 0: the OS picks a free port
        self.name = name

    @property
    def address(self) -> str:
        """host:port, the form Caddy's reverse_proxy takes."""
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
