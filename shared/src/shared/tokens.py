"""Access tokens (JWT, HS256) every service verifies locally; auth issues them (auth/tokens.py)."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import jwt

from shared.db.types import utc_now
from shared.settings import Settings

ALGORITHM = "HS256"  # the only one accepted: never taken from the token's header
ACCESS_TYPE = "access"


class InvalidTokenError(Exception):
    """The token is malformed, badly signed, expired or not an access token."""


@dataclass(frozen=True)
class AccessClaims:
    """What an access token says about its bearer."""

    user_id: UUID
    organization_id: UUID
    session_id: UUID
    username: str
    expires_at: datetime


def signing_key(settings: Settings) -> str:
    """The key every token is signed and checked with (SECRET_KEY)."""
    if settings.secret_key is None:
        raise RuntimeError("SECRET_KEY is not set")
    return settings.secret_key.get_secret_value()


def read_access_token(settings: Settings, token: str) -> AccessClaims:
    """Verify signature, expiry and type; raise `InvalidTokenError` otherwise."""
    try:
        claims = jwt.decode(
            token,
            signing_key(settings),
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub", "sid", "org_id", "type"]},
        )
        if claims["type"] != ACCESS_TYPE:
            raise InvalidTokenError("not an access token")
        return AccessClaims(
            user_id=UUID(claims["sub"]),
            organization_id=UUID(claims["org_id"]),
            session_id=UUID(claims["sid"]),
            username=str(claims.get("username", "")),
            expires_at=datetime.fromtimestamp(claims["exp"], tz=utc_now().tzinfo),
        )
    except (jwt.PyJWTError, ValueError, KeyError, TypeError) as exc:
        raise InvalidTokenError(type(exc).__name__) from exc
