"""The synchronous call to auth for an administrator-chosen password (§4 #13).

Auth applies the password rules and hashes; the api stores the hash in the new member's row, in
the transaction that creates it, so a member never exists half-made. The call is signed with an
HMAC under SECRET_KEY (shared/internal_calls.py; auth's `auth/internal.py` checks it); the route
is not on the gateway.
"""

import httpx
import msgspec
import structlog

from api.members.errors import AuthUnavailableError, PasswordRejectedError
from shared.internal_calls import PASSWORD_HASH_ROUTE, internal_url, signed_headers
from shared.settings import Settings

log = structlog.get_logger("api.members")
TIMEOUT_SECONDS = 10.0
HTTP_OK = 200
HTTP_BAD_REQUEST = 400


class _HashRead(msgspec.Struct):
    password_hash: str


class _Refusal(msgspec.Struct):
    detail: str


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
        headers = {
            "content-type": "application/json",
            **signed_headers(secret.get_secret_value(), PASSWORD_HASH_ROUTE, body),
        }
        url = internal_url(self._settings, "auth") + PASSWORD_HASH_ROUTE
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
