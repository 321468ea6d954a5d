"""The synchronous call to auth for an administrator-chosen password (§4 #13).

Auth applies the password rules and hashes; the api stores the hash in the new member's row, in
the transaction that creates it, so a member never exists half-made. The call is signed with an
HMAC under SECRET_KEY (auth's `auth/internal.py` checks it); the route is not on the gateway.
"""

import hashlib
import hmac
import time

import httpx
import msgspec
import structlog

from api.members.errors import AuthUnavailableError, PasswordRejectedError
from shared.settings import Settings

log = structlog.get_logger("api.members")
HASHING_ROUTE = "/internal/members/password-hash"
TIMEOUT_SECONDS = 10.0
WILDCARD_HOSTS = ("", "0.0.0.0", "::")  # noqa: S104 - names the bind-all addresses, binds nothing
HTTP_OK = 200
HTTP_BAD_REQUEST = 400


class _HashRead(msgspec.Struct):
    password_hash: str


class _Refusal(msgspec.Struct):
    detail: str


def auth_base_url(settings: Settings) -> str:
    """AUTH_INTERNAL_URL, else HOST and AUTH_PORT."""
    if settings.auth_internal_url:
        return settings.auth_internal_url.rstrip("/")
    host = "127.0.0.1" if settings.host in WILDCARD_HOSTS else settings.host
    return (
        f"http://[{host}]:{settings.auth_port}"
        if ":" in host
        else f"http://{host}:{settings.auth_port}"
    )


def signature(secret: str, path: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 of route, timestamp and body, as auth verifies it."""
    message = b"|".join((path.encode(), timestamp.encode(), body))
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class AuthPasswords:
    """Asks auth to check and hash a password."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def hash_new_password(self, password: str) -> str:
        """The Argon2id hash of an acceptable password; 400 with auth's reason otherwise."""
        secret = self._settings.secret_key
        if secret is None:
            raise AuthUnavailableError
        body = msgspec.json.encode({"password": password})
        timestamp = str(int(time.time()))
        headers = {
            "content-type": "application/json",
            "x-internal-timestamp": timestamp,
            "x-internal-signature": signature(
                secret.get_secret_value(), HASHING_ROUTE, timestamp, body
            ),
        }
        url = auth_base_url(self._settings) + HASHING_ROUTE
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
                response = await client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("members.auth_unreachable", error=type(exc).__name__)
            raise AuthUnavailableError from exc
        if response.status_code == HTTP_BAD_REQUEST:
            raise PasswordRejectedError(msgspec.json.decode(response.content, type=_Refusal).detail)
        if response.status_code != HTTP_OK:
            log.warning("members.auth_refused_password_call", status=response.status_code)
            raise AuthUnavailableError
        return msgspec.json.decode(response.content, type=_HashRead).password_hash
