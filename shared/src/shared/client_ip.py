"""The client's address: the gateway's `X-Real-IP` when the peer is a trusted proxy."""

import ipaddress
from functools import lru_cache
from typing import Any

from litestar.connection import ASGIConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def is_trusted(peer: str, trusted: tuple[str, ...]) -> bool:
    """True when `peer` falls in one of the trusted proxy addresses or networks."""
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in _networks(trusted))


def client_ip(connection: ASGIConnection[Any, Any, Any, Any], trusted: tuple[str, ...]) -> str:
    """`X-Real-IP` only from a trusted proxy (anyone else could claim any address)."""
    peer = connection.client.host if connection.client else ""
    if is_trusted(peer, trusted):
        claimed = connection.headers.get("x-real-ip", "").strip()
        try:
            return str(ipaddress.ip_address(claimed))
        except ValueError:
            pass
    return peer or "unknown"
