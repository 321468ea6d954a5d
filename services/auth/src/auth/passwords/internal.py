"""Internal routes other services call on auth; the gateway never routes `/internal`.

`POST /internal/members/password-hash`: the api service creates a member with a password an
administrator chose (spec/members-roles-organization.md §4 #13). Auth alone applies the password
rules and hashes, and answers the hash for the api to store in the member's new row, in the same
transaction that creates it. Calls are signed (shared/internal_calls.py), so only a service
holding SECRET_KEY can use the route.
"""

from typing import Annotated

import msgspec
from litestar import Request, post
from litestar.datastructures import State

from auth.errors import PasswordRejectedError
from auth.passwords.hashing import hash_password
from auth.passwords.rules import password_problems, policy_message
from shared.auth_errors import NotAuthenticatedError
from shared.internal_calls import PASSWORD_HASH_ROUTE, is_signed

MAX_BODY_BYTES = 4096


class PasswordHashRequest(msgspec.Struct, frozen=True):
    """The password an administrator chose for a new member."""

    password: Annotated[str, msgspec.Meta(max_length=1024)]


class PasswordHashRead(msgspec.Struct, frozen=True):
    """The Argon2id hash to store; the password itself never comes back."""

    password_hash: str


@post(PASSWORD_HASH_ROUTE, include_in_schema=False, status_code=200)
async def hash_member_password(request: Request[object, object, State]) -> PasswordHashRead:
    """Check an administrator-chosen password against the rules and hash it (signed calls only)."""
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise NotAuthenticatedError
    if not is_signed(request.app.state.settings, request.url.path, request.headers, body):
        raise NotAuthenticatedError
    try:
        password = msgspec.json.decode(body, type=PasswordHashRequest).password
    except msgspec.ValidationError as exc:
        raise PasswordRejectedError("Invalid password") from exc
    problems = password_problems(password)
    if problems:
        raise PasswordRejectedError(policy_message(problems))
    return PasswordHashRead(password_hash=await hash_password(password))
