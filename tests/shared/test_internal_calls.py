"""Calls between services: one signer, one verifier, one address book."""

import time

from shared.internal_calls import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    call_signature,
    internal_url,
    is_signed,
    signed_headers,
)
from shared.settings import Settings

SECRET = "test-secret-key-0123456789abcdef0123456789abcdef"
KEYED = Settings(_env_file=None, secret_key=SECRET)
ROUTE = "/internal/members/password-hash"


def test_a_signed_call_is_accepted() -> None:
    assert is_signed(KEYED, ROUTE, signed_headers(SECRET, ROUTE, b"{}"), b"{}")


def test_another_body_or_route_is_refused() -> None:
    headers = signed_headers(SECRET, ROUTE, b"{}")
    assert not is_signed(KEYED, ROUTE, headers, b'{"password": "x"}')
    assert not is_signed(KEYED, "/internal/other", headers, b"{}")


def test_a_stale_call_is_refused() -> None:
    stale = str(int(time.time()) - 120)
    headers = {
        TIMESTAMP_HEADER: stale,
        SIGNATURE_HEADER: call_signature(SECRET, ROUTE, stale, b"{}"),
    }
    assert not is_signed(KEYED, ROUTE, headers, b"{}")


def test_without_a_secret_nothing_is_signed() -> None:
    unkeyed = Settings(_env_file=None, secret_key=None)
    assert not is_signed(unkeyed, ROUTE, signed_headers(SECRET, ROUTE, b"{}"), b"{}")


def test_urls_from_the_setting_or_the_bind_address() -> None:
    configured = Settings(_env_file=None, auth_internal_url="http://auth:8001/")
    assert internal_url(configured, "auth") == "http://auth:8001"
    ipv6 = Settings(_env_file=None, host="::1", api_port=8000)
    assert internal_url(ipv6, "api") == "http://[::1]:8000"
    wildcard = Settings(_env_file=None, host="0.0.0.0", auth_port=8001)
    assert internal_url(wildcard, "auth") == "http://127.0.0.1:8001"
