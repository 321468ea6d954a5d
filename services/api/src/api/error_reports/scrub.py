"""What a stored error report may keep: no token, no password, a context of bounded size."""

import re
from typing import Any

import msgspec

REDACTED = "[redacted]"
TOO_DEEP = "[nested too deep]"
MAX_DEPTH = 16
CONTEXT_BYTES = 4096  # the serialized context's limit (spec §4.1)
# Share links, kiosk codes and calendar feeds carry their secret in the path (spec §4.1).
_TOKEN_SEGMENT = re.compile(
    r"(/finance/approvals/|/event-requests?/status/|/application-status/|/display/)[^/?#\s]+"
)
_CALENDAR_FEED = re.compile(r"(/calendar/)[^?#\s]*?\.ics")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
# `password=...`, `"access_token": "..."`, `secret: ...` inside free text or a query string.
_SECRET_VALUE = re.compile(
    r"""(?i)((?:password|passwd|pwd|secret|token|api[_-]?key)[\w-]*["']?\s*[:=]\s*["']?)"""
    r"""[^\s"'&,;}]+"""
)
_SECRET_KEY = re.compile(r"(?i)password|passwd|secret|token|authorization|cookie|api[_-]?key")


def scrub_text(text: str) -> str:
    """`text` with secrets in URLs, bearer tokens, JWTs and `password=` values redacted."""
    text = _TOKEN_SEGMENT.sub(rf"\1{REDACTED}", text)
    text = _CALENDAR_FEED.sub(rf"\1{REDACTED}.ics", text)
    text = _BEARER.sub(rf"\1{REDACTED}", text)
    text = _JWT.sub(REDACTED, text)
    return _SECRET_VALUE.sub(rf"\1{REDACTED}", text)


def scrub_value(value: Any, depth: int = 0) -> Any:
    """A JSON value with every string and key scrubbed and secret-named keys' values redacted.

    Nesting past `MAX_DEPTH` is dropped: no report needs it, and walking it could exhaust the
    interpreter's recursion limit.
    """
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict | list) and depth >= MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, dict):
        return _scrub_object(value, depth)
    if isinstance(value, list):
        return [scrub_value(item, depth + 1) for item in value]
    return value


def _scrub_object(value: dict[str, Any], depth: int) -> dict[str, Any]:
    # A key can be a URL or a token too. Keys redacted alike get "#2", "#3"... so that no
    # value is lost; the next number per key is remembered, so many such keys stay linear.
    scrubbed: dict[str, Any] = {}
    last_number: dict[str, int] = {}
    for key, item in value.items():
        kept = REDACTED if _SECRET_KEY.search(key) else scrub_value(item, depth + 1)
        name = scrub_text(key)
        if name in scrubbed:
            number = last_number.get(name, 1) + 1
            while f"{name}#{number}" in scrubbed:
                number += 1
            last_number[name] = number
            name = f"{name}#{number}"
        scrubbed[name] = kept
    return scrubbed


def bounded_context(context: dict[str, Any]) -> dict[str, Any]:
    """`context` within `CONTEXT_BYTES` serialized: its longest strings cut first.

    The browser never trims a component stack, so an oversized context is cut here and marked
    `truncated` rather than refused. Strings are capped at the largest length that fits, found
    by bisection; a context too large even with every string emptied keeps only the mark.
    """
    if _size(context) <= CONTEXT_BYTES:
        return context
    marked = {**context, "truncated": True}
    low, high = 0, CONTEXT_BYTES  # no string longer than the whole budget can fit
    if _size(_capped(marked, low)) > CONTEXT_BYTES:
        return {"truncated": True}
    while low < high:
        middle = (low + high + 1) // 2
        if _size(_capped(marked, middle)) <= CONTEXT_BYTES:
            low = middle
        else:
            high = middle - 1
    capped: dict[str, Any] = _capped(marked, low)
    return capped


def _capped(value: Any, length: int) -> Any:
    if isinstance(value, str):
        return value[:length]
    if isinstance(value, dict):
        return {key: _capped(item, length) for key, item in value.items()}
    if isinstance(value, list):
        return [_capped(item, length) for item in value]
    return value


def _size(value: Any) -> int:
    return len(msgspec.json.encode(value))
