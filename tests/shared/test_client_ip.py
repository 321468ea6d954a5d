"""Only a trusted proxy may state the client's address."""

from typing import Any

import pytest
from litestar.connection import ASGIConnection

from shared.client_ip import client_ip

GATEWAY = ("127.0.0.1", "::1", "10.10.0.0/16")


def connection(peer: str, real_ip: str | None) -> ASGIConnection[Any, Any, Any, Any]:
    headers = [(b"x-real-ip", real_ip.encode())] if real_ip is not None else []
    scope: Any = {
        "type": "http",
        "headers": headers,
        "client": (peer, 5555),
        "path": "/",
        "method": "GET",
        "query_string": b"",
        "app": None,
        "state": {},
    }
    return ASGIConnection(scope)


@pytest.mark.parametrize(
    ("peer", "real_ip", "expected"),
    [
        ("127.0.0.1", "203.0.113.7", "203.0.113.7"),  # the gateway says who it is
        ("10.10.4.2", "203.0.113.7", "203.0.113.7"),  # a gateway in a trusted network
        ("198.51.100.9", "203.0.113.7", "198.51.100.9"),  # anyone else: the header is ignored
        ("127.0.0.1", None, "127.0.0.1"),
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
        ("::1", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(peer: str, real_ip: str | None, expected: str) -> None:
    assert client_ip(connection(peer, real_ip), GATEWAY) == expected
