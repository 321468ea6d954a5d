"""Internal routes other services call on auth; the gateway never routes `/internal`.

`POST /internal/members/password-hash`: the api service creates a member with a password an
administrator chose (spec/members-roles-organization.md §4 #13). Auth alone applies the password
rules and hashes, and answers the hash for the api to store in the member's new row, in the same
transaction that creates it. Calls are signed with an HMAC under SECRET_KEY over the route, a
timestamp and the body, so only a service holding the key can use the route.
"""

import hashlib
import hmac
import time
from typing import Annotated

import msgspec
from litestar import Request, post
from litestar.datastructures import State

from auth.errors import PasswordRejectedError
from shared.auth_errors import NotAuthenticatedError
from shared.passwords import hash_password, password_problems, policy_message
from shared.settings import Settings

HASHING_ROUTE = "/internal/members/password-hash"
TIMESTAMP_HEADER = "x-internal-timestamp"
SIGNATURE_HEADER = "x-internal-signature"
MAX_CLOCK_SKEW_SECONDS = 60
MAX_BODY_BYTES = 4096


class PasswordHashRequest(msgspec.Struct, frozen=True):
    """The password an administrator chose for a new member."""

    password: Annotated[str, msgspec.Meta(max_length=1024)]


class PasswordHashRead(msgspec.Struct, frozen=True):
    """The Argon2id hash to store; the password itself never comes back."""

    password_hash: str


def call_signature(secret: str, path: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 of route, timestamp and body under the shared secret."""
    message = b"|".join((path.encode(), timestamp.encode(), body))
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _check_signature(request: Request[object, object, State], body: bytes) -> None:
    settings: Settings = request.app.state.settings
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if settings.secret_key is None or not timestamp.isdigit() or not signature:
        raise NotAuthenticatedError
    if abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        raise NotAuthenticatedError
    wanted = call_signature(
        settings.secret_key.get_secret_value(), request.url.path, timestamp, body
    )
    if not hmac.compare_digest(wanted.encode(), signature.encode()):
        raise NotAuthenticatedError


@post(HASHING_ROUTE, include_in_schema=False, status_code=200)
async def hash_member_password(request: Request[object, object, State]) -> PasswordHashRead:
    """Check an administrator-chosen password against the rules and hash it (signed calls only)."""
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise NotAuthenticatedError
    _check_signature(request, body)
    try:
        password = msgspec.json.decode(body, type=PasswordHashRequest).password
    except msgspec.ValidationError as exc:
        raise PasswordRejectedError("Invalid password") from exc
    problems = password_problems(password)
    if problems:
        raise PasswordRejectedError(policy_message(problems))
    return PasswordHashRead(password_hash=await hash_password(password))
