"""The tokens auth issues: access tokens, MFA challenge tokens, opaque refresh and CSRF tokens."""

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta
from uuid import UUID, uuid4

import jwt

from shared.db.types import utc_now
from shared.settings import Settings
from shared.tokens import ACCESS_TYPE, ALGORITHM, InvalidTokenError, signing_key

MFA_PENDING_TYPE = "mfa_pending"
MFA_TOKEN_MINUTES = 5


def issue_access_token(
    settings: Settings, *, user_id: UUID, organization_id: UUID, session_id: UUID, username: str
) -> str:
    """A signed access token for one session, valid ACCESS_TOKEN_EXPIRE_MINUTES."""
    now = utc_now()
    claims = {
        "sub": str(user_id),
        "org_id": str(organization_id),
        "sid": str(session_id),
        "username": username,
        "type": ACCESS_TYPE,
        "iat": now,
        "exp": now + timedelta(minutes=settings.access_token_expire_minutes),
        "jti": uuid4().hex,  # two sign-ins in one second must not mint the same token
    }
    return jwt.encode(claims, signing_key(settings), algorithm=ALGORITHM)


def issue_mfa_token(settings: Settings, user_id: UUID) -> str:
    """The `mfa_pending` challenge token of a password-verified MFA member (5 minutes)."""
    now = utc_now()
    claims = {
        "sub": str(user_id),
        "type": MFA_PENDING_TYPE,
        "iat": now,
        "exp": now + timedelta(minutes=MFA_TOKEN_MINUTES),
        "jti": uuid4().hex,
    }
    return jwt.encode(claims, signing_key(settings), algorithm=ALGORITHM)


def read_mfa_token(settings: Settings, token: str) -> UUID:
    """The member an unexpired `mfa_pending` token names; `InvalidTokenError` otherwise."""
    try:
        claims = jwt.decode(
            token, signing_key(settings), algorithms=[ALGORITHM], options={"require": ["exp"]}
        )
        if claims.get("type") != MFA_PENDING_TYPE:
            raise InvalidTokenError("not an MFA challenge token")
        return UUID(claims["sub"])
    except (jwt.PyJWTError, ValueError, KeyError, TypeError) as exc:
        raise InvalidTokenError(type(exc).__name__) from exc


def _refresh_mac(settings: Settings, body: str) -> str:
    digest = hmac.new(signing_key(settings).encode(), body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def new_refresh_token(settings: Settings, session_id: UUID) -> str:
    """An opaque refresh token: session id, random part, and a MAC over both.

    The session id lets a reused token find its family; the MAC makes sure only a token we
    issued can do so, so knowing a session id is not enough to sign a member out everywhere.
    """
    body = f"{session_id.hex}.{secrets.token_urlsafe(32)}"
    return f"{body}.{_refresh_mac(settings, body)}"


def refresh_session_id(settings: Settings, token: str) -> UUID | None:
    """The session id of a refresh token we issued, or None for a malformed or forged one."""
    body, _, mac = token.rpartition(".")
    head, _, rest = body.partition(".")
    if not (head and rest and mac):
        return None
    if not hmac.compare_digest(mac.encode(), _refresh_mac(settings, body).encode()):
        return None
    try:
        return UUID(hex=head)
    except ValueError:
        return None


def token_hash(token: str) -> str:
    """SHA-256 hex of a token: what the database stores instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_csrf_token() -> str:
    """32 random bytes, URL-safe base64 (43 characters), fresh on every sign-in and refresh."""
    return secrets.token_urlsafe(32)
