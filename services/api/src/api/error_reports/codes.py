"""The support-code catalogue of GET /errors/codes, read from the error classes themselves.

Every curated code (`LB-<AREA>-<n>`) is the `code` of an `AppError` subclass; uncurated failures
answer `LB-API-<status>`, listed as fallbacks. A class joins the catalogue by being imported,
which the app does for every area before serving a request.
"""

import functools
import inspect
from collections.abc import Iterator
from http import HTTPStatus
from typing import NamedTuple

from api.error_reports.schemas import ErrorCodeRead
from shared.errors import AppError

# The statuses an uncurated failure answers with, and what each means to a member.
FALLBACKS = {
    400: "The request could not be carried out as sent.",
    401: "You are not signed in, or your session has ended.",
    403: "You may not do this.",
    404: "What was asked for does not exist, or is not available on this server yet.",
    405: "This action is not available here.",
    409: "It clashes with something that already exists or was changed meanwhile.",
    413: "What was sent is too large.",
    415: "What was sent is not in a format the server reads.",
    422: "Something sent is missing or invalid.",
    429: "Too many requests in a short time.",
    431: "The request's headers are too large (often too many cookies).",
    500: "The server failed unexpectedly.",
    502: "A service behind the gateway did not answer properly.",
    503: "The service is briefly unavailable.",
    504: "A service behind the gateway took too long to answer.",
}
# What a member can do, per area of the code.
RESOLUTIONS = {
    "AUTH": ["Sign in again.", "If it keeps happening, clear this site's cookies and sign in."],
    "PERM": ["Ask an administrator of your department for the permission this page needs."],
    "ORG": ["Sign out and in again; if it persists, contact your department's administrator."],
    "UPLD": ["Choose another file: a supported image type, within the size limit."],
    "VAL": ["Correct the highlighted fields and send the form again."],
    "SYS": ["Wait a moment and try again.", "If it persists, contact support with the code."],
}
CLIENT_RESOLUTION = ["Check what you entered or reload the page, then try again."]
SERVER_RESOLUTION = RESOLUTIONS["SYS"]


class _Entry(NamedTuple):
    code: str
    title: str
    description: str


# Answered by the shared exception handlers, which have no class of their own.
HANDLER_CODES = (
    _Entry("LB-VAL-001", "Invalid input", "A field of the request is missing or invalid."),
    _Entry("LB-SYS-001", "Internal server error", "The server failed unexpectedly."),
    _Entry(
        "LB-SYS-002",
        "Service temporarily unavailable, please retry",
        "The database or another service is briefly unavailable.",
    ),
)
# Raised only by the auth service, which the api may not import; a test checks this list
# against the auth service's classes.
AUTH_SERVICE_CODES = (
    _Entry(
        "LB-AUTH-003",
        "This account is not active. Please contact your department's administrator.",
        "The password was right but the member may not sign in.",
    ),
    _Entry(
        "LB-AUTH-006",
        "Incorrect username or password",
        "Unknown member, wrong password or locked account: one indistinguishable answer.",
    ),
    _Entry(
        "LB-AUTH-007",
        "Invalid verification code",
        "A wrong TOTP or recovery code on a management route (401 on `/mfa/login`).",
    ),
    _Entry(
        "LB-AUTH-011",
        "Your sign-in attempt expired; please sign in again",
        "The MFA challenge token is invalid or expired, or its member cannot sign in.",
    ),
)


def _subclasses(cls: type[AppError]) -> Iterator[type[AppError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _class_entries() -> Iterator[_Entry]:
    # Shared classes first: where areas reuse a code, the shared class describes it.
    classes = sorted(
        _subclasses(AppError),
        key=lambda c: (not c.__module__.startswith("shared."), c.__module__, c.__qualname__),
    )
    for cls in classes:
        if not cls.code.startswith("LB-API-"):
            summary = next(iter((inspect.getdoc(cls) or "").splitlines()), cls.detail)
            yield _Entry(cls.code, cls.detail, summary)


def _curated(entry: _Entry) -> ErrorCodeRead:
    category = entry.code.split("-")[1]
    return ErrorCodeRead(
        code=entry.code,
        category=category,
        title=entry.title,
        description=entry.description,
        # A new area's code reads sensibly before its own advice is written.
        resolution=RESOLUTIONS.get(category, SERVER_RESOLUTION),
    )


def _fallback(status: int, description: str) -> ErrorCodeRead:
    server_side = status >= HTTPStatus.INTERNAL_SERVER_ERROR
    return ErrorCodeRead(
        code=f"LB-API-{status}",
        category="API",
        title=HTTPStatus(status).phrase,
        description=description,
        resolution=SERVER_RESOLUTION if server_side else CLIENT_RESOLUTION,
    )


@functools.cache
def catalogue() -> tuple[ErrorCodeRead, ...]:
    """Every curated code once, by code, then the `LB-API-<status>` fallbacks."""
    entries: dict[str, _Entry] = {}
    for entry in (*HANDLER_CODES, *AUTH_SERVICE_CODES, *_class_entries()):
        entries.setdefault(entry.code, entry)
    curated = [_curated(entries[code]) for code in sorted(entries)]
    return (*curated, *(_fallback(status, text) for status, text in FALLBACKS.items()))
