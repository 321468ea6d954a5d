"""The startup check for taken ports (issue 10 F7): also against a listener sharing its port."""

import socket

import pytest

from launcher.ports import port_in_use
from launcher.runner import gateway_port
from shared.settings import Settings
from tests.support.proxy import free_port


def test_a_free_port_is_not_in_use() -> None:
    assert not port_in_use("127.0.0.1", free_port())


@pytest.mark.parametrize("reuse_port", [False, True])
def test_a_listener_holds_its_port_even_one_that_would_share_it(reuse_port: bool) -> None:
    with socket.socket() as listener:
        # Caddy sets SO_REUSEPORT: another Caddy would bind next to it, our check must not.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, int(reuse_port))
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert port_in_use("127.0.0.1", port)
        assert port_in_use("0.0.0.0", port)  # a wildcard bind overlaps it too


@pytest.mark.parametrize(
    ("site", "expected"),
    [
        (None, (8080, "GATEWAY_PORT")),
        ("http://127.0.0.1:9090", (9090, "GATEWAY_SITE")),
        ("https://logbook.example.org", (443, "GATEWAY_SITE")),
        ("logbook.example.org", (443, "GATEWAY_SITE")),
        ("http://logbook.example.org", (80, "GATEWAY_SITE")),
        ("http://127.0.0.1:99999", None),
    ],
)
def test_the_gateway_port_follows_the_site_address(
    site: str | None, expected: tuple[int, str] | None
) -> None:
    settings = Settings(_env_file=None, gateway_port=8080, gateway_site=site)
    assert gateway_port(settings) == expected
