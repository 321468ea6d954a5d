"""Calls between services on `/internal` routes the gateway never serves: where each service
listens, and the HMAC under SECRET_KEY that signs a call over its route, a timestamp and its body.
"""

import hashlib
import hmac
import time
from collections.abc import Mapping
from typing import Literal

from shared.settings import Settings

Service = Literal["auth", "api"]
# The route on which auth checks and hashes a password for the api.
PASSWORD_HASH_ROUTE = "/internal/members/password-hash"  # noqa: S105 - a route, not a password
TIMESTAMP_HEADER = "x-internal-timestamp"
SIGNATURE_HEADER = "x-internal-signature"
MAX_CLOCK_SKEW_SECONDS = 60
WILDCARD_HOSTS = ("", "0.0.0.0", "::")  # noqa: S104 - names the bind-all addresses, binds nothing


def internal_url(settings: Settings, service: Service) -> str:
    """A service's base URL: AUTH_/API_INTERNAL_URL, else HOST and the service's port."""
    configured = settings.auth_internal_url if service == "auth" else settings.api_internal_url
    if configured:
        return configured.rstrip("/")
    host = "127.0.0.1" if settings.host in WILDCARD_HOSTS else settings.host
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal
    port = settings.auth_port if service == "auth" else settings.api_port
    return f"http://{host}:{port}"


def internal_urls(settings: Settings) -> dict[str, str]:
    """The base URL of every service other services call."""
    return {"auth": internal_url(settings, "auth"), "api": internal_url(settings, "api")}


def call_signature(secret: str, path: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 of route, timestamp and body under the shared secret."""
    message = b"|".join((path.encode(), timestamp.encode(), body))
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str, path: str, body: bytes) -> dict[str, str]:
    """The headers that sign a call of `path` with `body`, made now."""
    timestamp = str(int(time.time()))
    return {
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: call_signature(secret, path, timestamp, body),
    }


def is_signed(settings: Settings, path: str, headers: Mapping[str, str], body: bytes) -> bool:
    """Whether a call of `path` was signed with this SECRET_KEY within the allowed clock skew."""
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    signature = headers.get(SIGNATURE_HEADER, "")
    if settings.secret_key is None or not timestamp.isdigit() or not signature:
        return False
    if abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        return False
    wanted = call_signature(settings.secret_key.get_secret_value(), path, timestamp, body)
    return hmac.compare_digest(wanted.encode(), signature.encode())
